// Each visual as one SQL query for POST /v1/query: DuckDB groups and
// aggregates, the browser only draws.
//
//   SELECT <dims> AS d0.., <aggs> AS m0.. FROM (<dataset>) AS t
//   WHERE <filters and time range> GROUP BY <dims> ORDER BY .. LIMIT ..
//
// Field names (in visuals, filters and formulas) match the dataset's columns
// ignoring case, as QuickSight's lowercased Glue names do ({wins} is Wins);
// calculated fields resolve to their compiled formulas. Pure: no DOM.

import { compileFormula, FormulaError, quoteIdent, quoteString, type Compiled, type Resolved } from './formula';
import type { AnalysisDocument, Dataset, Filter, Scalar, TimeRange, ValueSpec, Visual } from './model';

export interface Column {
  name: string;
  type: string;
}

export interface FieldInfo extends Resolved {
  name: string; // as the dataset or the calculated field spells it
  type: string; // the column's type, 'calculated' or 'aggregate'
  calculated: boolean;
}

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

export function datasetSql(dataset: Dataset): string {
  if (dataset.kind === 'sql') return `(${dataset.sql.trim().replace(/;+\s*$/, '')})`;
  return quoteIdent(dataset.name);
}

// Resolves field names against the dataset's columns and the calculated
// fields. Calculated fields may refer to each other (cycles are errors).
export class Fields {
  private readonly cache = new Map<string, FieldInfo>();
  private readonly resolving: string[] = [];

  constructor(
    readonly columns: Column[],
    readonly calculated: { name: string; formula: string }[],
  ) {}

  private column(name: string): Column | undefined {
    return this.columns.find((c) => c.name === name) ?? this.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  }

  private calc(name: string): { name: string; formula: string } | undefined {
    return this.calculated.find((c) => c.name === name) ?? this.calculated.find((c) => c.name.toLowerCase() === name.toLowerCase());
  }

  // The field, or undefined if no column or calculated field has that name.
  // Throws FormulaError (with the calculated field's name) if its formula is wrong.
  get(name: string): FieldInfo | undefined {
    const key = name.toLowerCase();
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const column = this.column(name);
    let info: FieldInfo | undefined;
    if (column !== undefined && this.calculated.every((c) => c.name !== name)) {
      info = { name: column.name, type: column.type, calculated: false, sql: quoteIdent(column.name), aggregate: false };
    } else {
      const calc = this.calc(name);
      if (calc === undefined) return undefined;
      if (this.resolving.includes(calc.name.toLowerCase())) {
        throw new QueryError(`calculated fields refer to each other in a cycle: ${[...this.resolving, calc.name.toLowerCase()].join(' → ')}`);
      }
      this.resolving.push(calc.name.toLowerCase());
      try {
        const compiled = this.compile(calc.formula, calc.name);
        info = { name: calc.name, type: compiled.aggregate ? 'aggregate' : 'calculated', calculated: true, sql: `(${compiled.sql})`, aggregate: compiled.aggregate };
      } finally {
        this.resolving.pop();
      }
    }
    this.cache.set(key, info);
    return info;
  }

  // The field or a QueryError naming what is missing.
  require(name: string, where: string): FieldInfo {
    const info = this.get(name);
    if (info === undefined) throw new QueryError(`${where}: no field named '${name}' in the dataset (columns: ${this.columns.map((c) => c.name).join(', ') || 'none'})`);
    return info;
  }

  compile(formula: string, fieldName?: string): Compiled {
    try {
      return compileFormula(formula, (n) => this.get(n));
    } catch (e) {
      if (e instanceof FormulaError && fieldName !== undefined) throw new QueryError(`calculated field ${fieldName}: ${e.message}`);
      throw e;
    }
  }
}

function literal(value: Scalar, numeric: boolean): string {
  if (typeof value === 'number') return String(value);
  if (numeric && /^-?\d+(\.\d+)?$/.test(value.trim())) return value.trim();
  return quoteString(value);
}

const isNumericType = (type: string): boolean => /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/i.test(type);

export function filterSql(filter: Filter, fields: Fields): string {
  const f = fields.require(filter.field, 'filter');
  if (f.aggregate) throw new QueryError(`filter: '${f.name}' is an aggregate; filters apply to rows`);
  const numeric = isNumericType(f.type);
  const value = (): string => literal(filter.value ?? '', numeric);
  const values = (): string => (filter.values ?? []).map((v) => literal(v, numeric)).join(', ');
  switch (filter.op) {
    case 'is null':
      return `${f.sql} IS NULL`;
    case 'is not null':
      return `${f.sql} IS NOT NULL`;
    case 'in':
      return `${f.sql} IN (${values()})`;
    case 'not in':
      return `${f.sql} NOT IN (${values()})`;
    case 'between': {
      const [lo = '', hi = ''] = filter.values ?? [];
      return `${f.sql} BETWEEN ${literal(lo, numeric)} AND ${literal(hi, numeric)}`;
    }
    case 'contains':
      return `contains(lower(CAST(${f.sql} AS VARCHAR)), ${quoteString(String(filter.value ?? '').toLowerCase())})`;
    case '!=':
      return `${f.sql} <> ${value()}`;
    default:
      return `${f.sql} ${filter.op} ${value()}`;
  }
}

const kPresetMs: Record<string, number> = { '15m': 15 * 60e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

// 'YYYY-MM-DD HH:MM:SS' in UTC (the lake's _ingest_time is UTC).
export function utcText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

// The time range as a condition, or undefined for all time (or when the
// dataset has no such column: the range cannot apply).
export function timeSql(range: TimeRange, fields: Fields, now: number): string | undefined {
  if (range.preset === 'all') return undefined;
  const f = fields.get(range.field);
  if (f === undefined) return undefined;
  const ts = (text: string): string => `TIMESTAMP ${quoteString(text.replace('T', ' ').replace(/Z$/, ''))}`;
  if (range.preset === 'custom') {
    const parts: string[] = [];
    if (range.from !== undefined) parts.push(`${f.sql} >= ${ts(range.from)}`);
    if (range.to !== undefined) parts.push(`${f.sql} < ${ts(range.to)}`);
    return parts.length > 0 ? parts.join(' AND ') : undefined;
  }
  const span = kPresetMs[range.preset];
  return span === undefined ? undefined : `${f.sql} >= ${ts(utcText(now - span))}`;
}

export interface Dim {
  field: string;
  label: string;
  sql: string;
}
export interface Measure {
  label: string;
  sql: string;
}

export interface VisualQuery {
  sql: string;
  dims: Dim[]; // result columns d0..
  measures: Measure[]; // then m0..
  rowDims: number; // pivot: how many of dims are rows (the rest are columns)
  grouping: boolean; // pivot: g0.. follow (1 where a dim is rolled up into a total)
}

export const kAggLabels: Record<string, string> = { count: 'Count', sum: 'Sum', avg: 'Average', min: 'Min', max: 'Max', count_distinct: 'Distinct count' };

export function measureLabel(value: ValueSpec, fields?: Fields): string {
  if (value.label !== undefined) return value.label;
  if (value.field === undefined) return 'Count of records';
  const info = fields?.get(value.field);
  if (info?.aggregate === true) return info.name;
  return `${kAggLabels[value.agg] ?? value.agg} of ${info?.name ?? value.field}`;
}

function measureSql(value: ValueSpec, fields: Fields): string {
  if (value.field === undefined) return 'count(*)';
  const f = fields.require(value.field, 'value');
  if (f.aggregate) return f.sql; // an aggregate calculated field is its own aggregation
  switch (value.agg) {
    case 'count_distinct':
      return `count(DISTINCT ${f.sql})`;
    case 'sum':
    case 'avg':
      return `${value.agg}(${f.sql})`;
    default:
      return `${value.agg}(${f.sql})`;
  }
}

// The dimension fields a visual groups by, in order (and how many are rows).
export function visualDims(visual: Visual): { fields: string[]; rowDims: number } {
  const some = (...names: (string | undefined)[]): string[] => names.filter((n): n is string => n !== undefined && n !== '');
  switch (visual.type) {
    case 'bar':
    case 'line':
    case 'area':
      return { fields: some(visual.x, visual.group), rowDims: 0 };
    case 'hbar':
      return { fields: some(visual.y, visual.group), rowDims: 0 };
    case 'pie':
      return { fields: some(visual.x), rowDims: 0 };
    case 'heatmap':
      return { fields: some(visual.rows?.[0], visual.columns?.[0]), rowDims: 1 };
    case 'pivot': {
      const rows = visual.rows ?? [];
      return { fields: [...rows, ...(visual.columns ?? [])], rowDims: rows.length };
    }
    case 'table':
      return { fields: [...(visual.rows ?? [])], rowDims: 0 };
    case 'kpi':
      return { fields: [], rowDims: 0 };
  }
}

// What a visual still needs before it can be drawn, or undefined when ready.
export function missingWell(visual: Visual): string | undefined {
  switch (visual.type) {
    case 'bar':
    case 'line':
    case 'area':
    case 'pie':
      return visual.x === undefined ? 'Choose a field for the X axis' : undefined;
    case 'hbar':
      return visual.y === undefined ? 'Choose a field for the Y axis' : undefined;
    case 'heatmap':
      return visual.rows?.[0] === undefined || visual.columns?.[0] === undefined ? 'Choose fields for Rows and Columns' : undefined;
    case 'pivot':
      return (visual.rows ?? []).length + (visual.columns ?? []).length === 0 ? 'Choose fields for Rows or Columns' : undefined;
    case 'table':
      return (visual.rows ?? []).length === 0 && visual.values.length === 0 ? 'Choose fields to group by or values' : undefined;
    case 'kpi':
      return undefined;
  }
}

const kDefaultLimit: Record<string, number> = { bar: 200, hbar: 50, line: 1000, area: 1000, pie: 50, heatmap: 2500, table: 1000, pivot: 5000, kpi: 1 };

export function visualQuery(doc: AnalysisDocument, visual: Visual, fields: Fields, now: number = Date.now()): VisualQuery {
  const missing = missingWell(visual);
  if (missing !== undefined) throw new QueryError(missing);
  const { fields: dimFields, rowDims } = visualDims(visual);
  const dims: Dim[] = dimFields.map((name, i) => {
    const f = fields.require(name, 'dimension');
    if (f.aggregate) throw new QueryError(`'${f.name}' is an aggregate and cannot be a dimension (use it as a value)`);
    let sql = f.sql;
    if (i === 0 && visual.timeGrain !== undefined && ['bar', 'line', 'area', 'table'].includes(visual.type)) {
      sql = `date_trunc(${quoteString(visual.timeGrain)}, ${f.sql})`;
    }
    return { field: name, label: f.name, sql };
  });
  let values = visual.values.length > 0 ? visual.values : [{ agg: 'count' as const }];
  if (['pie', 'heatmap', 'kpi'].includes(visual.type) || (visual.group !== undefined && visual.type !== 'table')) values = values.slice(0, 1);
  const measures: Measure[] = values.map((v) => ({ label: measureLabel(v, fields), sql: measureSql(v, fields) }));

  const where: string[] = [];
  const time = timeSql(doc.timeRange, fields, now);
  if (time !== undefined) where.push(time);
  for (const filter of doc.filters) where.push(filterSql(filter, fields));

  const select = [...dims.map((d, i) => `${d.sql} AS d${i}`), ...measures.map((m, i) => `${m.sql} AS m${i}`)];
  const pivot = visual.type === 'pivot';
  if (pivot) select.push(...dims.map((d, i) => `grouping(${d.sql}) AS g${i}`));
  let sql = `SELECT ${select.join(', ')}\nFROM ${datasetSql(doc.dataset)} AS t`;
  if (where.length > 0) sql += `\nWHERE ${where.map((w) => `(${w})`).join(' AND ')}`;
  if (dims.length > 0) {
    if (pivot) {
      const rowSet = dims.slice(0, rowDims).map((d) => d.sql);
      const colSet = dims.slice(rowDims).map((d) => d.sql);
      const sets = [[...rowSet, ...colSet], rowSet, colSet, []];
      const unique = sets.filter((s, i) => sets.findIndex((o) => o.join() === s.join()) === i);
      sql += `\nGROUP BY GROUPING SETS (${unique.map((s) => `(${s.join(', ')})`).join(', ')})`;
    } else {
      sql += `\nGROUP BY ${dims.map((d) => d.sql).join(', ')}`;
    }
    const dimOrder = dims.map((_, i) => `d${i} ASC NULLS LAST`);
    const byValue = visual.sort?.by === 'value' || (visual.sort === undefined && (visual.type === 'hbar' || visual.type === 'pie'));
    const order = visual.sort?.order ?? (byValue ? 'desc' : 'asc');
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    if (pivot) sql += `\nORDER BY ${dims.map((_, i) => `g${i} ASC, d${i} ASC NULLS LAST`).join(', ')}`;
    else if (byValue) sql += `\nORDER BY m0 ${direction} NULLS LAST, ${dimOrder.join(', ')}`;
    else sql += `\nORDER BY ${dims.map((_, i) => `d${i} ${direction} NULLS LAST`).join(', ')}`;
    sql += `\nLIMIT ${visual.limit ?? kDefaultLimit[visual.type] ?? 1000}`;
  }
  return { sql, dims, measures, rowDims, grouping: pivot };
}

// The dataset's columns: the query answers no rows, only its columns.
export function columnsSql(dataset: Dataset): string {
  return `SELECT * FROM ${datasetSql(dataset)} AS t LIMIT 0`;
}
