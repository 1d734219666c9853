// The metrics store's documented API (docs/metrics.md) as the two pages use
// it: ListMetrics, GetMetricData with paging, dashboards, and the live stream.
import { api, streamEvents } from '../api';
import type { Dimension, MetricLine } from './dashboard';
import { pointsFromResult, type Point, type LiveGroup, livePath, parseLiveDatapoint } from './series';

export interface MetricId {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
}

interface ListMetricsAnswer {
  Metrics: MetricId[];
  NextToken?: string;
}

// Every metric (all pages, at most `maxPages` of 500).
export async function listMetrics(params: Record<string, string>, signal?: AbortSignal, maxPages = 20): Promise<MetricId[]> {
  const out: MetricId[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const q = new URLSearchParams(params);
    if (token !== undefined) q.set('next_token', token);
    const query = q.toString();
    const answer = await api<ListMetricsAnswer>(`/v1/metrics${query === '' ? '' : `?${query}`}`, signal === undefined ? {} : { signal });
    out.push(...answer.Metrics);
    token = answer.NextToken;
    if (token === undefined || token === '') break;
  }
  return out;
}

interface MetricDataResult {
  Id: string;
  Label?: string;
  Timestamps: number[];
  Values: (number | null)[];
  StatusCode?: string;
}

interface MetricDataAnswer {
  MetricDataResults: MetricDataResult[];
  NextToken?: string;
  Messages?: { Code?: string; Value?: string }[];
}

export interface QueryLine {
  id: string;
  line: MetricLine;
  period: number;
}

// GetMetricData for these lines over [start, end): the points of each id
// (ascending), following NextToken for up to `maxPages` pages.
export async function queryLines(lines: QueryLine[], start: number, end: number, signal?: AbortSignal, maxPages = 10): Promise<Map<string, Point[]>> {
  const queries = lines.map(({ id, line, period }) => {
    if (line.expression !== undefined) {
      return { Id: id, Expression: line.expression, Label: line.label, Period: period, ReturnData: line.visible };
    }
    return {
      Id: id,
      MetricStat: {
        Metric: { Namespace: line.namespace, MetricName: line.name, Dimensions: line.dimensions },
        Period: period,
        Stat: line.stat,
      },
      Label: line.label,
      ReturnData: line.visible,
    };
  });
  const out = new Map<string, Point[]>();
  if (queries.length === 0) return out;
  let token: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const body: Record<string, unknown> = { MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending' };
    if (token !== undefined) body['NextToken'] = token;
    const answer = await api<MetricDataAnswer>('/v1/metrics/query', { method: 'POST', body, ...(signal === undefined ? {} : { signal }) });
    for (const r of answer.MetricDataResults) {
      const points = pointsFromResult(r.Timestamps, r.Values);
      out.set(r.Id, [...(out.get(r.Id) ?? []), ...points]);
    }
    token = answer.NextToken;
    if (token === undefined || token === '') break;
  }
  for (const [id, points] of out) out.set(id, points.sort((a, b) => a.t - b.t));
  return out;
}

export interface DashboardEntry {
  DashboardName: string;
  DashboardArn: string;
  LastModified: number;
  Size: number;
}

export async function listDashboards(signal?: AbortSignal): Promise<DashboardEntry[]> {
  const answer = await api<{ DashboardEntries: DashboardEntry[] }>('/v1/dashboards', signal === undefined ? {} : { signal });
  return answer.DashboardEntries;
}

export async function getDashboardBody(name: string, signal?: AbortSignal): Promise<string> {
  const answer = await api<{ DashboardBody: string }>(`/v1/dashboards/${encodeURIComponent(name)}`, signal === undefined ? {} : { signal });
  return answer.DashboardBody;
}

// PUT sends the body text as it is (the store keeps it byte for byte).
export async function putDashboard(name: string, body: string): Promise<void> {
  await api(`/v1/dashboards/${encodeURIComponent(name)}`, { method: 'PUT', body });
}

export async function deleteDashboard(name: string): Promise<void> {
  await api(`/v1/dashboards/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

// Follows one live group until the signal aborts; onPoint per stat per event.
export function subscribeLive(
  group: LiveGroup,
  onPoint: (t: number, values: Record<string, number | null>) => void,
  signal: AbortSignal,
): Promise<void> {
  return streamEvents(
    livePath(group),
    (event) => {
      if (event.event !== 'datapoint') return;
      const dp = parseLiveDatapoint(event.data);
      if (dp !== null) onPoint(dp.t, dp.values);
    },
    signal,
  );
}

export const kStats = ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount', 'p50', 'p90', 'p99'];
