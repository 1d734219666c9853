// Live data for a set of metric widgets: one GET /v1/metrics/live stream per
// metric and period (with every stat the widgets draw of it), each datapoint
// appended to the series that asked for it. A browser keeps about six
// connections to a server, so at most kMaxStreams streams are opened; the
// widgets they leave out are re-read every kPollMs instead (and say so).
import { describeError } from '../ui';
import { subscribeLive } from './client';
import { groupLive, liveKey, type LiveMetric } from './series';
import type { MetricWidgetView, SeriesState } from './widgets';

export const kMaxStreams = 4;
const kPollMs = 5_000;
const kRetryMs = 3_000;
// Late data: every kTailMs the live widgets re-read their last kTailSeconds.
const kTailMs = 5_000;
const kTailSeconds = 15;

interface Listener {
  view: MetricWidgetView;
  series: SeriesState;
  stat: string;
}

export class LiveManager {
  private controller: AbortController | null = null;
  private timers: number[] = [];
  streams = 0;
  polled = 0;

  start(views: MetricWidgetView[], onStatus?: (text: string) => void): void {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    const wanted: (LiveMetric & { listener: Listener })[] = [];
    for (const view of views) {
      view.setLive(true);
      for (const s of view.liveLines()) {
        wanted.push({
          namespace: s.line.namespace,
          name: s.line.name,
          dimensions: s.line.dimensions,
          period: s.period,
          stat: s.line.stat,
          listener: { view, series: s, stat: s.line.stat },
        });
      }
    }
    const groups = groupLive(wanted);
    const open = groups.slice(0, kMaxStreams);
    const openKeys = new Set(open.map((g) => g.key));
    const uncovered = new Set<MetricWidgetView>();
    for (const view of views) {
      if (view.series.some((s) => s.line.expression !== undefined)) uncovered.add(view);
    }
    for (const group of groups) {
      const listeners = wanted.filter((w) => liveKey(w) === group.key).map((w) => w.listener);
      if (!openKeys.has(group.key)) {
        for (const l of listeners) uncovered.add(l.view);
        continue;
      }
      const run = (): void => {
        subscribeLive(
          group,
          (t, values) => {
            for (const l of listeners) {
              const v = values[l.stat];
              l.view.livePoint(l.series, { t, v: v ?? null });
            }
          },
          controller.signal,
        ).then(
          () => retry(null),
          (e: unknown) => retry(e),
        );
      };
      const retry = (e: unknown): void => {
        if (controller.signal.aborted) return;
        const message = e === null ? 'the live stream ended; reconnecting…' : `live data: ${describeError(e)}`;
        for (const l of listeners) l.view.showError(message);
        this.timers.push(
          window.setTimeout(() => {
            if (controller.signal.aborted) return;
            for (const l of listeners) l.view.clearError();
            run();
          }, kRetryMs),
        );
      };
      run();
    }
    const streamed = views.filter((v) => !uncovered.has(v) && v.liveLines().length > 0);
    if (streamed.length > 0) {
      this.timers.push(
        window.setInterval(() => {
          for (const view of streamed) void view.refreshTail(kTailSeconds);
        }, kTailMs),
      );
    }
    this.streams = open.length;
    this.polled = uncovered.size;
    if (uncovered.size > 0) {
      this.timers.push(
        window.setInterval(() => {
          for (const view of uncovered) void view.load();
        }, kPollMs),
      );
    }
    onStatus?.(
      groups.length === 0
        ? 'Live data: nothing here can be streamed.'
        : uncovered.size === 0
          ? `Live data: ${open.length} stream${open.length === 1 ? '' : 's'}.`
          : `Live data: ${open.length} stream${open.length === 1 ? '' : 's'}; ${uncovered.size} widget${uncovered.size === 1 ? '' : 's'} re-read every ${kPollMs / 1000} s (metric math, or more than ${kMaxStreams} metrics).`,
    );
  }

  stop(views: MetricWidgetView[] = []): void {
    this.controller?.abort();
    this.controller = null;
    for (const t of this.timers) {
      window.clearTimeout(t);
      window.clearInterval(t);
    }
    this.timers = [];
    for (const v of views) v.setLive(false);
    this.streams = 0;
    this.polled = 0;
  }
}
