// Generator: the Kinesis Data Generator's page over the server's
// /v1/generator API — pick a record template (builtin:lab, builtin:sessions
// or your own, docs/generator.md's language), test it on 5 records, send it
// to a stream at a rate (optionally a total), and watch each job's count of
// records sent live until it stops or is done.
import './generator.css';
import { api, ApiError } from '../api';
import type { Cleanup, PageContext } from '../page';
import { describeError, errorBanner, formatNumber, h, toast } from '../ui';
import { offsetOf, parseErrorPosition, progressPercent, tokenEnd } from '../apps/helpers';

interface Job {
  id: string;
  template: string;
  stream: string;
  rate: number;
  count: number | null;
  state: 'running' | 'stopped' | 'done';
  sent: number;
  started_at: string;
  stopped_at: string | null;
}

const kChoices = [
  { value: 'builtin:lab', label: 'builtin:lab', help: 'The lab\'s template (Task 5): PlayerID, Time Played, Wins, Losses, CaughtAt, CaughtBy.' },
  { value: 'builtin:sessions', label: 'builtin:sessions', help: 'Simulated players of a level-based game: sessions, levels, deaths, purchases, with linked ids.' },
  { value: 'custom', label: 'Custom template', help: 'Your own template: JSON with {{ helper }} parts, as in the Kinesis Data Generator.' },
] as const;

function templateLabel(template: string): string {
  if (template.startsWith('builtin:') || template === 'custom') return template; // the server names custom text "custom"
  const lines = template.split('\n').length;
  return `custom (${lines} line${lines === 1 ? '' : 's'})`;
}

function formatTime(iso: string | null): string {
  return iso === null ? '' : iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

function prettyRecord(record: unknown): string {
  if (typeof record === 'string') {
    try {
      return JSON.stringify(JSON.parse(record), null, 2);
    } catch {
      return record;
    }
  }
  return JSON.stringify(record, null, 2);
}

export function render(root: HTMLElement, _context: PageContext): Cleanup {
  const abort = new AbortController();
  const signal = abort.signal;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const jobs = new Map<string, Job>();

  // ---- Template ----
  let choice: string = 'builtin:lab';
  const help = h('p', { class: 'muted small template-help' });
  const text = h('textarea', {
    class: 'code template-text',
    id: 'template-text',
    rows: 18,
    spellcheck: 'false',
    wrap: 'off',
    'aria-label': 'Custom template',
    'data-testid': 'template-text',
  });
  // The lab's template text comes from the server (GET /v1/generator/templates),
  // the one owner of it; a custom template starts from it.
  let labTemplate = '';
  const textWrap = h('div', { class: 'template-wrap' }, text);
  const templateError = h('div', {});
  const preview = h('div', { class: 'preview', 'data-testid': 'preview' }, h('p', { class: 'muted' }, 'Test the template to see 5 sample records.'));
  const radios = kChoices.map((c) =>
    h(
      'label',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: 'template',
        value: c.value,
        checked: c.value === choice,
        'data-testid': `template-${c.value.replace(':', '-')}`,
        onchange: () => {
          choice = c.value;
          syncChoice();
        },
      }),
      h('span', {}, c.label),
    ),
  );
  // What a builtin makes, read-only: the lab's text, or the sessions' event model.
  const builtinView = h('div', { class: 'builtin-view' });
  const syncChoice = (): void => {
    help.textContent = kChoices.find((c) => c.value === choice)?.help ?? '';
    textWrap.hidden = choice !== 'custom';
    if (choice === 'builtin:lab') {
      builtinView.replaceChildren(h('pre', { class: 'template-readonly', 'aria-label': 'builtin:lab template', 'data-testid': 'lab-template' }, labTemplate));
    } else if (choice === 'builtin:sessions') {
      builtinView.replaceChildren(
        h(
          'ul',
          { class: 'event-model' },
          ...[
            ['session_start', 'session_number, level'],
            ['level_start', 'level'],
            ['death', 'level, enemy, x, y, time_in_level_s'],
            ['level_complete', 'level, duration_s, deaths, score, stars'],
            ['purchase', 'item_id, amount, currency, revenue (USD), level'],
            ['session_end', 'duration_s, levels_completed, deaths, spent_usd'],
          ].map(([event, fields]) => h('li', {}, h('code', {}, event ?? ''), ` — ${fields ?? ''}`)),
        ),
        h('p', { class: 'muted small' }, 'Every event also has event_id, event_type, ts, player_id, session_id, platform, country and app_version (docs/events.md).'),
      );
    } else {
      builtinView.replaceChildren();
    }
    templateError.replaceChildren();
  };
  const templateValue = (): string => (choice === 'custom' ? text.value : choice);

  // A template error: at its line:column in the custom text when it has one.
  const showTemplateError = (e: unknown): void => {
    const position = e instanceof ApiError && e.status === 400 && choice === 'custom' ? parseErrorPosition(e.message) : null;
    templateError.replaceChildren(errorBanner(describeError(e)));
    if (position !== null) {
      const start = offsetOf(text.value, position.line, position.column);
      text.focus();
      text.setSelectionRange(start, Math.max(start, tokenEnd(text.value, start)));
    }
  };

  const testButton = h('button', { 'data-testid': 'test-template', onclick: () => void testTemplate() }, 'Test template');
  async function testTemplate(): Promise<void> {
    testButton.disabled = true;
    templateError.replaceChildren();
    preview.replaceChildren(h('p', { class: 'muted' }, 'Generating…'));
    try {
      const answer = await api<{ records: unknown[] }>('/v1/generator/preview', { method: 'POST', body: { template: templateValue(), count: 5 }, signal });
      preview.replaceChildren(
        h('div', { class: 'preview-head' }, h('strong', {}, 'Sample records'), h('span', { class: 'muted small', 'data-testid': 'preview-count' }, `${answer.records.length} records`)),
        ...answer.records.map((r) => h('pre', { class: 'record', 'data-testid': 'preview-record' }, prettyRecord(r))),
      );
    } catch (e) {
      if (signal.aborted) return;
      preview.replaceChildren();
      showTemplateError(e);
    } finally {
      testButton.disabled = false;
    }
  }

  // ---- Sending ----
  const stream = h('input', { id: 'gen-stream', value: 'events', required: true, pattern: '[A-Za-z0-9_\\-]{1,64}', list: 'gen-streams', autocomplete: 'off', 'data-testid': 'gen-stream' });
  const streams = h('datalist', { id: 'gen-streams' });
  const rate = h('input', { id: 'gen-rate', type: 'number', min: 1, step: 1, value: 10, required: true, 'data-testid': 'gen-rate' });
  const count = h('input', { id: 'gen-count', type: 'number', min: 1, step: 1, placeholder: 'until stopped', 'data-testid': 'gen-count' });
  const sendStatus = h('div', {});
  const send = h('button', { class: 'primary', type: 'submit', 'data-testid': 'send-data' }, 'Send data');
  const sendForm = h(
    'form',
    { class: 'send-form', 'aria-label': 'Send data' },
    h('div', {}, h('label', { for: 'gen-stream' }, 'Target stream'), stream, streams),
    h('div', { class: 'two' }, h('div', {}, h('label', { for: 'gen-rate' }, 'Records per second'), rate), h('div', {}, h('label', { for: 'gen-count' }, 'Total records (optional)'), count)),
    h('div', { class: 'toolbar end' }, send),
    sendStatus,
  );
  sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { template: templateValue(), stream: stream.value.trim(), rate: Number(rate.value) };
    if (count.value.trim() !== '') body['count'] = Number(count.value);
    send.disabled = true;
    sendStatus.replaceChildren();
    templateError.replaceChildren();
    api<Job>('/v1/generator/jobs', { method: 'POST', body, signal }).then(
      (job) => {
        send.disabled = false;
        toast(`Sending to ${job.stream}: job ${job.id}`);
        jobs.set(job.id, job);
        renderJobs();
        if (job.state === 'running') watch(job.id);
      },
      (e: unknown) => {
        send.disabled = false;
        if (signal.aborted) return;
        if (e instanceof ApiError && e.code === 'invalid_template') showTemplateError(e);
        else sendStatus.replaceChildren(errorBanner(describeError(e)));
      },
    );
  });

  // ---- Jobs ----
  const jobsStatus = h('div', {});
  const jobsBody = h('tbody', {});
  const running = h('span', { class: 'muted', 'data-testid': 'jobs-running' });

  const renderJobs = (): void => {
    const list = [...jobs.values()].sort((a, b) => b.started_at.localeCompare(a.started_at) || b.id.localeCompare(a.id));
    running.textContent = `${list.filter((j) => j.state === 'running').length} running`;
    jobsBody.replaceChildren(
      ...list.map((j) => {
        const percent = progressPercent(j.sent, j.count);
        return h(
          'tr',
          { 'data-testid': `job-row-${j.id}` },
          h('td', {}, h('code', {}, j.id)),
          h('td', { title: j.template.startsWith('builtin:') ? null : j.template }, templateLabel(j.template)),
          h('td', {}, j.stream),
          h('td', { class: 'num' }, formatNumber(j.rate)),
          h('td', { class: 'num' }, j.count === null ? '∞' : formatNumber(j.count)),
          h('td', {}, h('span', { class: `badge ${j.state === 'running' ? 'ok' : j.state === 'done' ? '' : 'warn'}`, 'data-testid': `job-state-${j.id}` }, j.state)),
          h(
            'td',
            { class: 'num sent' },
            h('span', { class: 'sent-value', 'data-testid': `job-sent-${j.id}` }, formatNumber(j.sent)),
            percent === null ? '' : h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': percent, 'aria-valuemin': 0, 'aria-valuemax': 100 }, h('div', { class: 'progress-bar', style: `width: ${percent}%` })),
          ),
          h('td', { class: 'nowrap' }, formatTime(j.started_at)),
          h('td', { class: 'nowrap' }, formatTime(j.stopped_at)),
          h('td', {}, j.state === 'running' ? h('button', { class: 'danger', 'data-testid': `job-stop-${j.id}`, onclick: () => void stop(j.id) }, 'Stop') : ''),
        );
      }),
    );
    if (list.length === 0) jobsBody.append(h('tr', {}, h('td', { colspan: 10, class: 'muted empty-row' }, 'No jobs yet: choose a template and Send data.')));
  };

  // Polls a running job every second until it stops.
  const watch = (id: string): void => {
    if (timers.has(id)) return;
    const tick = (): void => {
      api<Job>(`/v1/generator/jobs/${encodeURIComponent(id)}`, { signal }).then(
        (job) => {
          jobs.set(id, job);
          jobsStatus.replaceChildren();
          renderJobs();
          if (job.state === 'running') timers.set(id, setTimeout(tick, 1000));
          else timers.delete(id);
        },
        (e: unknown) => {
          if (signal.aborted) return;
          jobsStatus.replaceChildren(errorBanner(`Job ${id}: ${describeError(e)}`));
          timers.set(id, setTimeout(tick, 3000));
        },
      );
    };
    timers.set(id, setTimeout(tick, 1000));
  };

  async function stop(id: string): Promise<void> {
    try {
      const job = await api<Job>(`/v1/generator/jobs/${encodeURIComponent(id)}/stop`, { method: 'POST', signal });
      jobs.set(id, job);
      renderJobs();
      toast(`Stopped job ${id}: ${formatNumber(job.sent)} records sent`);
    } catch (e) {
      if (!signal.aborted) jobsStatus.replaceChildren(errorBanner(describeError(e)));
    }
  }

  const loadJobs = async (): Promise<void> => {
    try {
      const answer = await api<{ jobs: Job[] }>('/v1/generator/jobs', { signal });
      for (const j of answer.jobs) jobs.set(j.id, j);
      renderJobs();
      for (const j of answer.jobs) if (j.state === 'running') watch(j.id);
    } catch (e) {
      if (!signal.aborted) jobsStatus.replaceChildren(errorBanner(describeError(e)));
    }
  };

  syncChoice();
  api<{ templates: { name: string; template: string }[] }>('/v1/generator/templates', { signal }).then(
    (answer) => {
      labTemplate = answer.templates.find((t) => t.name === 'builtin:lab')?.template ?? '';
      if (text.value === '') text.value = labTemplate;
      syncChoice();
    },
    (e: unknown) => {
      if (!signal.aborted) templateError.replaceChildren(errorBanner(describeError(e)));
    },
  );
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Data generator'), h('p', { class: 'muted' }, 'Realistic game events from a template, sent to a stream at the rate you choose (the Kinesis Data Generator, in the server).')),
    ),
    h(
      'div',
      { class: 'generator-grid' },
      h(
        'section',
        { class: 'panel', 'aria-label': 'Record template' },
        h('div', { class: 'panel-title' }, 'Record template', h('span', { class: 'spacer' }), testButton),
        h('div', { class: 'choices', role: 'radiogroup', 'aria-label': 'Template' }, ...radios),
        help,
        builtinView,
        textWrap,
        templateError,
        preview,
      ),
      h('section', { class: 'panel', 'aria-label': 'Send data' }, h('div', { class: 'panel-title' }, 'Send data'), sendForm),
    ),
    h(
      'section',
      { class: 'panel jobs-panel', 'aria-label': 'Jobs' },
      h('div', { class: 'panel-title' }, 'Jobs', running, h('span', { class: 'spacer' }), h('button', { class: 'ghost', onclick: () => void loadJobs() }, 'Refresh')),
      jobsStatus,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'grid', 'data-testid': 'jobs-table' },
          h('thead', {}, h('tr', {}, ...['Job', 'Template', 'Stream', 'Rate /s', 'Count', 'State', 'Sent', 'Started', 'Stopped', ''].map((c) => h('th', { scope: 'col' }, c)))),
          jobsBody,
        ),
      ),
    ),
  );
  renderJobs();
  void loadJobs();
  api<{ tables: { name: string }[] }>('/v1/catalog/tables', { signal }).then(
    (t) => streams.replaceChildren(...t.tables.filter((x) => !x.name.startsWith('_')).map((x) => h('option', { value: x.name }))),
    (e: unknown) => {
      if (!signal.aborted) sendStatus.replaceChildren(errorBanner(`Listing the streams: ${describeError(e)}`));
    },
  );
  return () => {
    abort.abort();
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
}
