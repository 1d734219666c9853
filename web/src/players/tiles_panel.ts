// "Players at a glance": the tiles (average DAU, MAU, stickiness, D1/D7
// retention, revenue, ARPDAU, conversion) of all players over the range, each
// with its sparkline and its trend against the previous period of the same
// length. Reads /v1/kpis/stickiness, /v1/kpis/retention (days=7) and
// /v1/kpis/revenue (by day), for the range and for the previous one.
import { h } from '../ui';
import { allZero, computeTiles, num, previousLabel, previousRange, rangeDays, records, sparklinePath, str, trendOf, type KpiAnswer, type Tile } from './kpi';
import { formatTile } from './format';
import { panelFrame, sqlOf, type PanelHandle } from './panel';

export interface DayRange {
  from: string;
  to: string;
}

// The three answers the tiles are computed from.
export interface TilesAnswers {
  stickiness: KpiAnswer;
  retention: KpiAnswer;
  revenue: KpiAnswer;
}

export interface TilesInput {
  range: DayRange;
  now: TilesAnswers;
  before: TilesAnswers | null; // the previous range; null when it failed
}

export function tilesPanel(range: DayRange): PanelHandle {
  const previous = previousRange(range.from, range.to);
  const days = rangeDays(range.from, range.to);
  return panelFrame({ id: 'tiles', title: 'Players at a glance', subtitle: `All players, unsegmented, over the range; ${previousLabel(days)} (${previous.from} to ${previous.to})`, wide: true });
}

export function drawTiles(panel: PanelHandle, input: TilesInput): void {
  const { range, now, before } = input;
  panel.setSql([...sqlOf(now.stickiness, 'stickiness (DAU, MAU)'), ...sqlOf(now.retention, 'retention (D1, D7)'), ...sqlOf(now.revenue, 'revenue (daily)')]);
  const days = rangeDays(range.from, range.to);
  const previous = previousRange(range.from, range.to);
  // Average DAU counts the days of the range up to today: a range that
  // ends in the future is not diluted by days that have not happened.
  const today = new Date().toISOString().slice(0, 10);
  const tiles = tilesOf(now, rangeDays(range.from, range.to < today ? range.to : today));
  // The previous range, when it has any player at all (its days come back
  // zero-filled when nobody played).
  const earlier = before !== null && !allZero(records(before.stickiness), 'dau') ? new Map(tilesOf(before, days).map((t) => [t.id, t])) : null;
  const partial = earlier === null ? null : partialStart(before, previous);
  const trend: TrendContext = { label: `${previousLabel(days)}${partial === null ? '' : '*'}`, previous };
  panel.body.replaceChildren(
    h('div', { class: 'pl-tiles' }, ...tiles.map((t) => tileCard(t, earlier?.get(t.id) ?? null, trend))),
    ...(partial === null ? [] : [h('div', { class: 'muted small pl-footnote', 'data-testid': 'tiles-partial' }, `* The stream's events begin on ${partial}, within the previous period (${previous.from} to ${previous.to}): its numbers cover only part of it.`)]),
  );
}

function tilesOf(answers: TilesAnswers, days: number): Tile[] {
  return computeTiles(records(answers.stickiness), records(answers.retention), records(answers.revenue), days);
}

// The first day with players when it falls within the previous period (its
// numbers then cover only part of it, and make big trends); else null.
function partialStart(before: TilesAnswers | null, previous: DayRange): string | null {
  const firstDay = before === null ? undefined : records(before.stickiness).find((r) => (num(r['dau']) ?? 0) > 0)?.['day'];
  return firstDay !== undefined && str(firstDay) > previous.from ? str(firstDay) : null;
}

interface TrendContext {
  label: string; // "vs previous 7 days", with * when partly covered
  previous: DayRange;
}

function tileCard(t: Tile, before: Tile | null, trend: TrendContext): HTMLElement {
  return h(
    'div',
    { class: 'pl-tile', 'data-testid': `tile-${t.id}`, 'data-value': t.value === null ? '' : String(t.value), title: t.note },
    h('div', { class: 'pl-tile-label' }, t.label),
    h('div', { class: 'pl-tile-value', 'data-testid': `tile-${t.id}-value` }, formatTile(t.value, t.format)),
    trendLine(t, before, trend),
    sparkline(t.trend),
  );
}

function sparkline(values: number[]): SVGSVGElement {
  const path = sparklinePath(values, 120, 28);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '-2 -2 124 32');
  svg.setAttribute('class', 'pl-spark');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('preserveAspectRatio', 'none');
  if (path !== '') {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    line.setAttribute('d', path);
    svg.append(line);
  }
  return svg;
}

// "▲ 8.0% vs previous 7 days", green when up, red when down; or why not.
function trendLine(tile: Tile, before: Tile | null, context: TrendContext): HTMLElement {
  const { label, previous } = context;
  const trend = trendOf(tile.value, before?.value ?? null, tile.format);
  if (trend === null) {
    return h('div', { class: 'pl-trend none', 'data-testid': `tile-${tile.id}-trend`, 'data-direction': 'none', title: `Not known for ${previous.from} to ${previous.to}` }, h('span', { class: 'pl-trend-change' }, before === null ? 'no data' : '—'), ' ', h('span', { class: 'pl-trend-note' }, label));
  }
  const was = formatTile(before?.value ?? null, tile.format);
  return h(
    'div',
    {
      class: `pl-trend ${trend.direction}`,
      'data-testid': `tile-${tile.id}-trend`,
      'data-direction': trend.direction,
      'data-previous': String(before?.value ?? ''),
      title: `${previous.from} to ${previous.to}: ${was}`,
    },
    h('span', { class: 'pl-trend-change' }, trend.text),
    ' ',
    h('span', { class: 'pl-trend-note' }, label),
  );
}
