// What the Players page shows instead of its panels: a stream without player
// events (and how to send some: curl, or the generator), or why the first
// KPI (/v1/kpis/active_players) failed and what usually fixes it: an admin
// key, a stream that does not exist yet, a column to map.
import { ApiError } from '../api';
import { h, describeError, errorBanner } from '../ui';
import { copyButton } from './panel';

const kEventsHelp = 'The Players page reads events that follow gamelake\'s event convention (docs/events.md): each with player_id and ts, and an event_type of session_start, session_end, level_start, level_complete, death or purchase (with revenue).';

// "No player events in <stream> between <from> and <to>", and how to send some.
export function noPlayersState(stream: string, range: { from: string; to: string }): HTMLElement {
  return h(
    'div',
    { class: 'card pl-empty-state', 'data-testid': 'players-empty' },
    h('h2', {}, `No player events in ${stream} between ${range.from} and ${range.to}`),
    h('p', {}, kEventsHelp),
    howToSend(stream),
    h('p', { class: 'muted' }, 'Or pick another stream or a wider range above.'),
  );
}

// A failed page: the API's message as it came, then what usually fixes it.
export function failureState(e: unknown, stream: string): HTMLElement[] {
  const message = describeError(e);
  const out: HTMLElement[] = [errorBanner(message)];
  if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
    out.push(h('p', { class: 'muted pl-help' }, 'The Players page needs an admin key (KPIs run SQL over the lake). Sign out and sign in with one, or make one with gamelake keys create --scope admin.'));
  } else if (e instanceof ApiError && e.status === 400 && /does not exist|no such|not found|unknown stream/i.test(message) && !/column/i.test(message)) {
    out.push(noStreamState(stream));
  } else if (e instanceof ApiError && e.status === 400 && /column|field|referenced/i.test(message)) {
    out.push(mappingHelp(message, stream));
  } else {
    out.push(h('p', { class: 'muted pl-help' }, kEventsHelp, ' A stream whose fields have other names can be mapped with kpi.streams.<stream>.<field> (docs/events.md).'));
  }
  return out;
}

function noStreamState(stream: string): HTMLElement {
  return h('div', { class: 'card pl-empty-state', 'data-testid': 'players-no-stream' },
    h('h2', {}, `There is no stream ${stream} yet`),
    h('p', {}, 'A stream is created by the first events sent to it. ', kEventsHelp),
    howToSend(stream),
    h('p', { class: 'muted' }, 'Or pick a stream that exists above.'));
}

// A column the KPIs need is missing: name it, and how to map it.
function mappingHelp(message: string, stream: string): HTMLElement {
  const column = /column "?([A-Za-z0-9_ ]+?)"? not found/i.exec(message)?.[1];
  const example = column !== undefined ? `${column} = "<${stream}'s column for ${column}>"` : 'player_id = "PlayerID", ts = "EventTime"';
  return h('p', { class: 'muted pl-help', 'data-testid': 'players-mapping-help' },
    column !== undefined ? `${stream} has no column ${column}. ` : '',
    kEventsHelp,
    ` If this stream's events carry these under other names, map them in the server's config — [kpi.streams.${stream}] ${example} — and restart it (docs/events.md, "Mapping your own names"); or pick another stream above.`);
}

// Two ways to fill a stream with events the KPIs read: curl, or the generator.
function howToSend(stream: string): HTMLElement {
  const origin = window.location.origin;
  const generate = `gamelake generate -t builtin:sessions --stream ${stream} --url ${origin} --key "$INGEST_KEY" --rate 50 --duration 120`;
  const block = (label: string, text: string, id: string): HTMLElement => h(
    'div',
    { class: 'pl-howto' },
    h('div', { class: 'row' }, h('strong', {}, label), h('span', { class: 'spacer' }), copyButton(text, 'Copied')),
    h('pre', { class: 'pl-sql-text', 'data-testid': id }, text),
  );
  return h(
    'div',
    { class: 'pl-howtos' },
    block('Send a session by hand (an ingest key from the Keys page as INGEST_KEY)', curlSession(origin, stream), 'howto-curl'),
    block('Or simulate players for two minutes', generate, 'howto-generate'),
    h('p', { class: 'muted small' }, 'From a game: the Unity, C++ and TypeScript SDKs send sessions this way (docs/sdk.md). The page shows events as soon as they are acknowledged; press Refresh.'),
  );
}

// One session of one player, as of now, sent with curl as NDJSON.
function curlSession(origin: string, stream: string): string {
  const now = new Date();
  const at = (seconds: number): string => new Date(now.getTime() + seconds * 1000).toISOString();
  const player = 'player-1';
  const session = 'session-1';
  const events = [
    { event_type: 'session_start', s: 0, extra: '' },
    { event_type: 'level_start', s: 5, extra: ',"level":1' },
    { event_type: 'death', s: 40, extra: ',"level":1,"enemy":"spider","x":420.5,"y":130' },
    { event_type: 'level_complete', s: 95, extra: ',"level":1' },
    { event_type: 'purchase', s: 100, extra: ',"revenue":0.99,"item_id":"gems_small"' },
    { event_type: 'session_end', s: 120, extra: '' },
  ].map((e, i) => `{"event_id":"demo-${i + 1}","event_type":"${e.event_type}","ts":"${at(e.s)}","player_id":"${player}","session_id":"${session}","platform":"web"${e.extra}}`);
  return [
    `curl -s ${origin}/v1/streams/${stream}/records -H "Authorization: Bearer $INGEST_KEY" \\`,
    `  -H 'Content-Type: application/x-ndjson' --data-binary @- <<'EOF'`,
    ...events,
    'EOF',
  ].join('\n');
}
