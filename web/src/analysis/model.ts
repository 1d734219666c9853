// The analysis document (format 1): what an analysis is, as saved by
// PUT /v1/analyses/{id}, exported and imported as JSON. validateDocument()
// checks what is loaded and says what is wrong, path by path. Pure: no DOM.

export type Dataset = { kind: 'table' | 'view'; name: string } | { kind: 'sql'; sql: string };

export interface CalculatedField {
  name: string;
  formula: string;
}

export const kFilterOps = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'contains', 'between', 'is null', 'is not null'] as const;
export type FilterOp = (typeof kFilterOps)[number];
export type Scalar = string | number;

export interface Filter {
  field: string;
  op: FilterOp;
  value?: Scalar; // =, !=, <, <=, >, >=, contains
  values?: Scalar[]; // in, not in, between (two)
}

export const kTimePresets = ['all', '15m', '1h', '6h', '24h', '7d', '30d', 'custom'] as const;
export type TimePreset = (typeof kTimePresets)[number];

export interface TimeRange {
  field: string; // _ingest_time
  preset: TimePreset;
  from?: string; // custom: 'YYYY-MM-DD HH:MM[:SS]' UTC
  to?: string;
}

export const kVisualTypes = ['bar', 'hbar', 'heatmap', 'line', 'area', 'pie', 'kpi', 'table', 'pivot'] as const;
export type VisualType = (typeof kVisualTypes)[number];

export const kAggregations = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct'] as const;
export type Aggregation = (typeof kAggregations)[number];

export interface ValueSpec {
  field?: string; // absent: count of records (agg must be count)
  agg: Aggregation;
  label?: string;
}

export interface NumberFormat {
  style: 'number' | 'percent' | 'currency';
  decimals?: number;
  currency?: string; // ISO code, USD by default
}

export const kTimeGrains = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type TimeGrain = (typeof kTimeGrains)[number];

export const kSizes = ['small', 'medium', 'large'] as const; // a third, half, the whole width
export type VisualSize = (typeof kSizes)[number];

export interface Visual {
  id: string;
  type: VisualType;
  title: string;
  x?: string; // bar, line, area, pie: the category
  y?: string; // hbar: the category
  group?: string; // bar, hbar, line, area: one series per value
  rows?: string[]; // heatmap (one), pivot, table
  columns?: string[]; // heatmap (one), pivot
  values: ValueSpec[];
  mode?: 'stacked' | 'clustered'; // bars (and areas) with a group
  timeGrain?: TimeGrain; // truncates a time x
  sort?: { by: 'dimension' | 'value'; order: 'asc' | 'desc' };
  limit?: number;
  format: NumberFormat;
  size: VisualSize;
}

export interface AnalysisDocument {
  format: 1;
  id?: string;
  name: string;
  updated_at?: string;
  description?: string;
  dataset: Dataset;
  calculatedFields: CalculatedField[];
  filters: Filter[];
  timeRange: TimeRange;
  visuals: Visual[];
}

export class DocumentError extends Error {
  constructor(readonly problems: string[]) {
    super(`not a valid analysis (format 1):\n${problems.map((p) => `• ${p}`).join('\n')}`);
    this.name = 'DocumentError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
function oneOf<T extends string>(list: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (list as readonly string[]).includes(v);
}

// Checks a parsed JSON value and answers it as a document (defaults filled in),
// or throws DocumentError listing every problem found.
export function validateDocument(input: unknown): AnalysisDocument {
  const problems: string[] = [];
  const bad = (path: string, message: string): void => {
    problems.push(`${path}: ${message}`);
  };
  if (!isObj(input)) throw new DocumentError(['the document is not a JSON object']);
  if (input['format'] !== 1) bad('format', `must be 1 (found ${input['format'] === undefined ? 'nothing' : JSON.stringify(input['format'])})`);
  if (!isNonEmpty(input['name'])) bad('name', 'must be a non-empty string');

  let dataset: Dataset = { kind: 'table', name: 'events' };
  const ds = input['dataset'];
  if (!isObj(ds)) bad('dataset', 'must be an object: {"kind":"table"|"view","name"} or {"kind":"sql","sql"}');
  else if (ds['kind'] === 'table' || ds['kind'] === 'view') {
    if (!isNonEmpty(ds['name'])) bad('dataset.name', 'must be a non-empty string');
    else dataset = { kind: ds['kind'], name: ds['name'] };
  } else if (ds['kind'] === 'sql') {
    if (!isNonEmpty(ds['sql'])) bad('dataset.sql', 'must be a non-empty string');
    else dataset = { kind: 'sql', sql: ds['sql'] };
  } else bad('dataset.kind', 'must be "table", "view" or "sql"');

  const calculatedFields: CalculatedField[] = [];
  const cf = input['calculatedFields'] ?? [];
  if (!Array.isArray(cf)) bad('calculatedFields', 'must be an array');
  else {
    const seen = new Set<string>();
    cf.forEach((f: unknown, i) => {
      if (!isObj(f) || !isNonEmpty(f['name']) || !isNonEmpty(f['formula'])) {
        bad(`calculatedFields[${i}]`, 'must be {"name", "formula"} with non-empty strings');
        return;
      }
      const key = f['name'].toLowerCase();
      if (seen.has(key)) bad(`calculatedFields[${i}].name`, `"${f['name']}" is defined twice`);
      seen.add(key);
      calculatedFields.push({ name: f['name'], formula: f['formula'] });
    });
  }

  const filters: Filter[] = [];
  const fl = input['filters'] ?? [];
  if (!Array.isArray(fl)) bad('filters', 'must be an array');
  else {
    fl.forEach((f: unknown, i) => {
      const path = `filters[${i}]`;
      if (!isObj(f) || !isNonEmpty(f['field'])) return bad(path, 'must be an object with a "field"');
      if (!oneOf(kFilterOps, f['op'])) return bad(`${path}.op`, `must be one of ${kFilterOps.join(', ')}`);
      const filter: Filter = { field: f['field'], op: f['op'] };
      if (['in', 'not in', 'between'].includes(f['op'])) {
        const values = f['values'];
        if (!Array.isArray(values) || !values.every(isScalar) || values.length === 0) return bad(`${path}.values`, 'must be a non-empty array of strings or numbers');
        if (f['op'] === 'between' && values.length !== 2) return bad(`${path}.values`, 'between takes two values');
        filter.values = values;
      } else if (f['op'] !== 'is null' && f['op'] !== 'is not null') {
        if (!isScalar(f['value'])) return bad(`${path}.value`, 'must be a string or a number');
        filter.value = f['value'];
      }
      filters.push(filter);
    });
  }

  const timeRange: TimeRange = { field: '_ingest_time', preset: 'all' };
  const tr = input['timeRange'];
  if (tr !== undefined) {
    if (!isObj(tr)) bad('timeRange', 'must be an object');
    else {
      if (tr['field'] !== undefined) {
        if (isNonEmpty(tr['field'])) timeRange.field = tr['field'];
        else bad('timeRange.field', 'must be a non-empty string');
      }
      if (!oneOf(kTimePresets, tr['preset'])) bad('timeRange.preset', `must be one of ${kTimePresets.join(', ')}`);
      else timeRange.preset = tr['preset'];
      for (const key of ['from', 'to'] as const) {
        const v = tr[key];
        if (v === undefined) continue;
        if (!isStr(v) || Number.isNaN(Date.parse(v.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? '' : 'Z')))) bad(`timeRange.${key}`, 'must be a date and time (YYYY-MM-DD HH:MM)');
        else timeRange[key] = v;
      }
      if (timeRange.preset === 'custom' && timeRange.from === undefined && timeRange.to === undefined) bad('timeRange', 'a custom range needs "from" or "to"');
    }
  }

  const visuals: Visual[] = [];
  const vs = input['visuals'] ?? [];
  if (!Array.isArray(vs)) bad('visuals', 'must be an array');
  else {
    const ids = new Set<string>();
    vs.forEach((v: unknown, i) => {
      const visual = validateVisual(v, `visuals[${i}]`, bad);
      if (visual === undefined) return;
      if (ids.has(visual.id)) bad(`visuals[${i}].id`, `"${visual.id}" is used twice`);
      ids.add(visual.id);
      visuals.push(visual);
    });
  }

  if (problems.length > 0) throw new DocumentError(problems);
  const doc: AnalysisDocument = {
    format: 1,
    name: (input['name'] as string).trim(),
    dataset,
    calculatedFields,
    filters,
    timeRange,
    visuals,
  };
  if (isStr(input['id'])) doc.id = input['id'];
  if (isStr(input['updated_at'])) doc.updated_at = input['updated_at'];
  if (isStr(input['description'])) doc.description = input['description'];
  return doc;
}

function validateVisual(v: unknown, path: string, bad: (path: string, message: string) => void): Visual | undefined {
  if (!isObj(v)) {
    bad(path, 'must be an object');
    return undefined;
  }
  const before = { n: 0 };
  const fail = (p: string, m: string): void => {
    before.n += 1;
    bad(`${path}${p}`, m);
  };
  if (!isNonEmpty(v['id']) || !/^[A-Za-z0-9_-]+$/.test(v['id'])) fail('.id', 'must be letters, digits, - or _');
  if (!oneOf(kVisualTypes, v['type'])) fail('.type', `must be one of ${kVisualTypes.join(', ')}`);
  const type = v['type'] as VisualType;
  const optField = (key: 'x' | 'y' | 'group'): string | undefined => {
    const f = v[key];
    if (f === undefined || f === null || f === '') return undefined;
    if (!isStr(f)) fail(`.${key}`, 'must be a field name');
    return isStr(f) ? f : undefined;
  };
  const fieldList = (key: 'rows' | 'columns'): string[] | undefined => {
    const f = v[key];
    if (f === undefined) return undefined;
    if (isStr(f)) return f === '' ? [] : [f];
    if (!Array.isArray(f) || !f.every(isNonEmpty)) {
      fail(`.${key}`, 'must be an array of field names');
      return undefined;
    }
    return f;
  };
  const values: ValueSpec[] = [];
  const rawValues = v['values'] ?? [];
  if (!Array.isArray(rawValues)) fail('.values', 'must be an array');
  else {
    rawValues.forEach((value: unknown, i) => {
      if (!isObj(value) || !oneOf(kAggregations, value['agg'])) return fail(`.values[${i}]`, `must be {"field", "agg"} with agg one of ${kAggregations.join(', ')}`);
      const spec: ValueSpec = { agg: value['agg'] };
      if (value['field'] !== undefined && value['field'] !== null && value['field'] !== '') {
        if (!isStr(value['field'])) return fail(`.values[${i}].field`, 'must be a field name');
        spec.field = value['field'];
      } else if (value['agg'] !== 'count') return fail(`.values[${i}].field`, `${value['agg']} needs a field (only count may leave it out: the count of records)`);
      if (isStr(value['label']) && value['label'] !== '') spec.label = value['label'];
      values.push(spec);
    });
  }
  const format: NumberFormat = { style: 'number' };
  const fmt = v['format'];
  if (fmt !== undefined) {
    if (!isObj(fmt) || !oneOf(['number', 'percent', 'currency'] as const, fmt['style'])) fail('.format', 'must be {"style": "number"|"percent"|"currency", "decimals"}');
    else {
      format.style = fmt['style'];
      if (fmt['decimals'] !== undefined) {
        const d = fmt['decimals'];
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 10) fail('.format.decimals', 'must be an integer from 0 to 10');
        else format.decimals = d;
      }
      if (isStr(fmt['currency'])) format.currency = fmt['currency'];
    }
  }
  const visual: Visual = {
    id: isStr(v['id']) ? v['id'] : '',
    type,
    title: isStr(v['title']) ? v['title'] : '',
    values,
    format,
    size: oneOf(kSizes, v['size']) ? v['size'] : type === 'kpi' ? 'small' : 'medium',
  };
  if (v['size'] !== undefined && !oneOf(kSizes, v['size'])) fail('.size', `must be one of ${kSizes.join(', ')}`);
  const x = optField('x');
  const y = optField('y');
  const group = optField('group');
  const rows = fieldList('rows');
  const columns = fieldList('columns');
  if (x !== undefined) visual.x = x;
  if (y !== undefined) visual.y = y;
  if (group !== undefined) visual.group = group;
  if (rows !== undefined) visual.rows = rows;
  if (columns !== undefined) visual.columns = columns;
  if (v['mode'] !== undefined) {
    if (v['mode'] === 'stacked' || v['mode'] === 'clustered') visual.mode = v['mode'];
    else fail('.mode', 'must be "stacked" or "clustered"');
  }
  if (v['timeGrain'] !== undefined) {
    if (oneOf(kTimeGrains, v['timeGrain'])) visual.timeGrain = v['timeGrain'];
    else fail('.timeGrain', `must be one of ${kTimeGrains.join(', ')}`);
  }
  const sort = v['sort'];
  if (sort !== undefined) {
    if (isObj(sort) && (sort['by'] === 'dimension' || sort['by'] === 'value') && (sort['order'] === 'asc' || sort['order'] === 'desc')) {
      visual.sort = { by: sort['by'], order: sort['order'] };
    } else fail('.sort', 'must be {"by": "dimension"|"value", "order": "asc"|"desc"}');
  }
  if (v['limit'] !== undefined) {
    const l = v['limit'];
    if (typeof l === 'number' && Number.isInteger(l) && l > 0 && l <= 100000) visual.limit = l;
    else fail('.limit', 'must be an integer from 1 to 100000');
  }
  return before.n === 0 ? visual : undefined;
}

// A new, empty analysis over a dataset.
export function newDocument(name: string, dataset: Dataset): AnalysisDocument {
  return { format: 1, name, dataset, calculatedFields: [], filters: [], timeRange: { field: '_ingest_time', preset: 'all' }, visuals: [] };
}

// What a document looks like on the wire: the server's id and updated_at
// are left out (the server sets them).
export function toJson(doc: AnalysisDocument): Record<string, unknown> {
  const { id: _id, updated_at: _updated, ...rest } = doc;
  return { ...rest };
}

// A URL-safe id from a name: "Lab: player insights" -> "lab-player-insights-x7k2".
export function idFromName(name: string, random: () => number = Math.random): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'analysis';
  const suffix = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${base}-${suffix}`;
}

// A visual id not used yet in the document.
export function nextVisualId(doc: AnalysisDocument, type: VisualType): string {
  for (let n = 1; ; n += 1) {
    const id = `${type}-${n}`;
    if (!doc.visuals.some((v) => v.id === id)) return id;
  }
}
