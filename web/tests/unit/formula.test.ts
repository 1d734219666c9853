// Unit tests of the calculated-field formulas (QuickSight syntax → DuckDB SQL),
// the SQL each visual sends, and the analysis document's validation.
import { test, expect } from '@playwright/test';
import { compileFormula, FormulaError, parseFormula, quoteIdent, type Resolver } from '../../src/analysis/formula';
import { Fields, QueryError, visualQuery } from '../../src/analysis/query';
import { DocumentError, validateDocument, type AnalysisDocument, type Visual } from '../../src/analysis/model';

const kColumns = [
  { name: '_ingest_time', type: 'TIMESTAMP' },
  { name: 'PlayerID', type: 'BIGINT' },
  { name: 'Time Played', type: 'BIGINT' },
  { name: 'Wins', type: 'BIGINT' },
  { name: 'Losses', type: 'BIGINT' },
  { name: 'CaughtAt', type: 'BIGINT' },
  { name: 'CaughtBy', type: 'BIGINT' },
  { name: 'we"ird', type: 'VARCHAR' },
];

function fields(calculated: { name: string; formula: string }[] = []): Fields {
  return new Fields(kColumns, calculated);
}
const resolver = (calculated: { name: string; formula: string }[] = []): Resolver => {
  const f = fields(calculated);
  return (n) => f.get(n);
};
const sql = (formula: string): string => compileFormula(formula, resolver()).sql;

function errorOf(fn: () => unknown): FormulaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormulaError) return e;
    throw e;
  }
  throw new Error('no error');
}

test('precedence: * and / bind tighter than + and -, left to right; parentheses override', () => {
  expect(sql('1 + 2 * 3')).toBe('(1 + (2 * 3))');
  expect(sql('1 - 2 - 3')).toBe('((1 - 2) - 3)');
  expect(sql('(1 + 2) * 3')).toBe('((1 + 2) * 3)');
  expect(sql('-{wins} + 1')).toBe('((-"Wins") + 1)');
  expect(sql('{wins} > 1 AND {losses} < 2 OR NOT {wins} = 0')).toBe('((("Wins" > 1) AND ("Losses" < 2)) OR (NOT ("Wins" = 0)))');
  expect(sql('{wins} != 1')).toBe('("Wins" <> 1)');
});

test('division by zero is NULL: x / NULLIF(y, 0) over DOUBLE, as QuickSight', () => {
  expect(sql('{wins} / {losses}')).toBe('(CAST("Wins" AS DOUBLE) / NULLIF(CAST("Losses" AS DOUBLE), 0))');
  const lab = compileFormula('avg({wins} / {losses})', resolver());
  expect(lab).toEqual({ sql: 'avg((CAST("Wins" AS DOUBLE) / NULLIF(CAST("Losses" AS DOUBLE), 0)))', aggregate: true });
});

test('fields match the dataset columns ignoring case, bare or in braces, and are quoted', () => {
  expect(sql('{caughtby}')).toBe('"CaughtBy"');
  expect(sql('CAUGHTBY + wins')).toBe('("CaughtBy" + "Wins")');
  expect(sql('{time played}')).toBe('"Time Played"');
  expect(sql('{we"ird}')).toBe('"we""ird"');
  expect(quoteIdent('a"b')).toBe('"a""b"');
  expect(sql("'it''s'")).toBe("'it''s'");
  const missing = errorOf(() => sql('{nope} + 1'));
  expect(missing.message).toBe("line 1, column 1: no field named 'nope'");
});

test('ifelse: condition/value pairs and an else, as CASE', () => {
  expect(sql("ifelse({caughtby} <= 3, 'ghost', 'gargoyle')")).toBe(`CASE WHEN ("CaughtBy" <= 3) THEN 'ghost' ELSE 'gargoyle' END`);
  expect(sql("ifelse({wins} > 10, 'pro', {wins} > 2, 'regular', 'new')")).toBe(`CASE WHEN ("Wins" > 10) THEN 'pro' WHEN ("Wins" > 2) THEN 'regular' ELSE 'new' END`);
  expect(errorOf(() => sql('ifelse({wins} > 1, 2)')).message).toMatch(/^line 1, column 1: ifelse\(\) takes pairs/);
});

test('aggregates, scalar functions and aggregate detection', () => {
  expect(compileFormula('distinct_count({playerid})', resolver())).toEqual({ sql: 'count(DISTINCT "PlayerID")', aggregate: true });
  expect(compileFormula('sum({wins}) / sum({losses})', resolver()).aggregate).toBe(true);
  expect(compileFormula('round({wins} / 3, 2)', resolver())).toEqual({ sql: 'round((CAST("Wins" AS DOUBLE) / NULLIF(CAST(3 AS DOUBLE), 0)), 2)', aggregate: false });
  expect(sql('coalesce({wins}, 0)')).toBe('coalesce("Wins", 0)');
  expect(sql('ifnull({wins}, 0)')).toBe('coalesce("Wins", 0)');
  expect(sql('isnull({wins})')).toBe('("Wins" IS NULL)');
  expect(sql("concat('p', {playerid})")).toBe(`concat(CAST('p' AS VARCHAR), CAST("PlayerID" AS VARCHAR))`);
  expect(sql('abs(ceil(floor(1.5)))')).toBe('abs(ceil(floor(1.5)))');
  // An aggregate calculated field used in another formula is an aggregate too.
  const r = resolver([{ name: 'WinLoss', formula: 'avg({wins} / {losses})' }]);
  expect(compileFormula('{winloss} * 100', r).aggregate).toBe(true);
});

test('errors say where: line and column of the offending token', () => {
  let e = errorOf(() => parseFormula('avg({wins} / )'));
  expect(e.message).toBe("line 1, column 14: expected a value but found ')'");
  expect(e.position).toMatchObject({ line: 1, column: 14, offset: 13 });
  e = errorOf(() => parseFormula('sum({wins}\n  + {losses}'));
  expect(e.message).toBe("line 2, column 13: expected ',' or ')' but found the end of the formula");
  e = errorOf(() => parseFormula('1 +\n  {wins'));
  expect(e.position).toMatchObject({ line: 2, column: 3 });
  expect(e.detail).toMatch(/not closed/);
  e = errorOf(() => parseFormula("'open"));
  expect(e.message).toBe('line 1, column 1: a string is not closed');
  e = errorOf(() => parseFormula('1 # 2'));
  expect(e.message).toBe("line 1, column 3: unexpected character '#'");
  e = errorOf(() => parseFormula('1 2'));
  expect(e.message).toBe("line 1, column 3: unexpected '2' after a complete expression");
  e = errorOf(() => parseFormula('1 < 2 < 3'));
  expect(e.position.column).toBe(7);
  expect(errorOf(() => parseFormula('   ')).message).toBe('line 1, column 4: the formula is empty');
});

test('nested and mixed aggregates are refused at their position', () => {
  expect(errorOf(() => sql('avg(sum({wins}))')).message).toBe('line 1, column 5: aggregates cannot be nested: sum() inside another aggregate');
  expect(errorOf(() => sql('sum({wins}) + {losses}')).message).toMatch(/^line 1, column 15: mixing aggregated and row-level/);
  expect(errorOf(() => sql('nosuch(1)')).message).toBe('line 1, column 1: unknown function nosuch()');
  expect(errorOf(() => sql('abs(1, 2)')).message).toBe('line 1, column 1: abs() takes 1 argument, not 2');
});

test('calculated fields may refer to each other; a cycle is an error', () => {
  const f = fields([
    { name: 'Ratio', formula: '{wins} / {losses}' },
    { name: 'AvgRatio', formula: 'avg({ratio})' },
    { name: 'A', formula: '{b} + 1' },
    { name: 'B', formula: '{a} + 1' },
  ]);
  expect(f.get('avgratio')).toMatchObject({ name: 'AvgRatio', aggregate: true, sql: '(avg(((CAST("Wins" AS DOUBLE) / NULLIF(CAST("Losses" AS DOUBLE), 0)))))' });
  expect(() => f.get('A')).toThrow(QueryError);
  expect(() => f.get('A')).toThrow(/cycle/);
});

const kLab: AnalysisDocument = validateDocument({
  format: 1,
  name: 'Lab',
  dataset: { kind: 'view', name: 'data-view' },
  calculatedFields: [{ name: 'WinLoss', formula: 'avg({wins} / {losses})' }],
  visuals: [],
});

function visual(v: Partial<Visual>): Visual {
  return { id: 'v', type: 'bar', title: '', values: [{ agg: 'count' }], format: { style: 'number' }, size: 'medium', ...v };
}

test("the lab's visuals as SQL: one GROUP BY query each, fields case-matched", () => {
  const f = new Fields(kColumns, kLab.calculatedFields);
  expect(visualQuery(kLab, visual({ x: 'caughtby' }), f).sql).toBe(
    'SELECT "CaughtBy" AS d0, count(*) AS m0\nFROM "data-view" AS t\nGROUP BY "CaughtBy"\nORDER BY d0 ASC NULLS LAST\nLIMIT 200',
  );
  expect(visualQuery(kLab, visual({ type: 'heatmap', rows: ['caughtat'], columns: ['caughtby'] }), f).sql).toContain('SELECT "CaughtAt" AS d0, "CaughtBy" AS d1, count(*) AS m0');
  expect(visualQuery(kLab, visual({ type: 'hbar', y: 'playerid', values: [{ field: 'losses', agg: 'sum' }], limit: 10 }), f).sql).toBe(
    'SELECT "PlayerID" AS d0, sum("Losses") AS m0\nFROM "data-view" AS t\nGROUP BY "PlayerID"\nORDER BY m0 DESC NULLS LAST, d0 ASC NULLS LAST\nLIMIT 10',
  );
  const kpi = visualQuery(kLab, visual({ type: 'kpi', values: [{ field: 'WinLoss', agg: 'avg' }] }), f);
  expect(kpi.sql).toBe('SELECT (avg((CAST("Wins" AS DOUBLE) / NULLIF(CAST("Losses" AS DOUBLE), 0)))) AS m0\nFROM "data-view" AS t');
  expect(kpi.measures[0]?.label).toBe('WinLoss');
});

test('filters, time range, SQL datasets and pivots with totals', () => {
  const doc: AnalysisDocument = {
    ...kLab,
    dataset: { kind: 'sql', sql: 'SELECT * FROM events;' },
    filters: [
      { field: 'caughtby', op: 'in', values: [1, '2'] },
      { field: 'time played', op: '>', value: '3600' },
      { field: 'we"ird', op: 'contains', value: "O'k" },
    ],
    timeRange: { field: '_ingest_time', preset: '1h' },
  };
  const f = new Fields(kColumns, doc.calculatedFields);
  const now = Date.parse('2026-11-30T12:00:00Z');
  const q = visualQuery(doc, visual({ x: 'caughtby' }), f, now);
  expect(q.sql).toContain('FROM (SELECT * FROM events) AS t');
  expect(q.sql).toContain(`WHERE ("_ingest_time" >= TIMESTAMP '2026-11-30 11:00:00') AND ("CaughtBy" IN (1, 2)) AND ("Time Played" > 3600) AND (contains(lower(CAST("we""ird" AS VARCHAR)), 'o''k'))`);
  const pivot = visualQuery(doc, visual({ type: 'pivot', rows: ['caughtat'], columns: ['caughtby'] }), f, now);
  expect(pivot.sql).toContain('GROUP BY GROUPING SETS (("CaughtAt", "CaughtBy"), ("CaughtAt"), ("CaughtBy"), ())');
  expect(pivot.sql).toContain('grouping("CaughtAt") AS g0, grouping("CaughtBy") AS g1');
  expect(() => visualQuery(doc, visual({ x: 'WinLoss' }), f, now)).toThrow(/aggregate and cannot be a dimension/);
  expect(() => visualQuery(doc, visual({ x: 'nope' }), f, now)).toThrow(/no field named 'nope'/);
});

test('documents are validated: every problem is listed with its path', () => {
  let error: DocumentError | undefined;
  try {
    validateDocument({ format: 2, name: '', dataset: { kind: 'table' }, visuals: [{ id: 'a b', type: 'donut', values: [{ agg: 'sum' }] }] });
  } catch (e) {
    if (e instanceof DocumentError) error = e;
  }
  expect(error?.problems).toEqual([
    'format: must be 1 (found 2)',
    'name: must be a non-empty string',
    'dataset.name: must be a non-empty string',
    'visuals[0].id: must be letters, digits, - or _',
    'visuals[0].type: must be one of bar, hbar, heatmap, line, area, pie, kpi, table, pivot',
    'visuals[0].values[0].field: sum needs a field (only count may leave it out: the count of records)',
  ]);
  expect(() => validateDocument('nope')).toThrow(/not a JSON object/);
});
