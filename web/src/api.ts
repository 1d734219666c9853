// The console's only way to the server: gamelake's documented HTTP API
// (docs/api.md), with the signed-in key on every request. Errors come back as
// ApiError values carrying the server's {"error","message"} so pages can show
// them; nothing here swallows a failure.

import { currentKey } from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  // "403 forbidden: this key may not ..." — what the user sees.
  describe(): string {
    return this.status === 0 ? this.message : `${this.status} ${this.code}: ${this.message}`;
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown; // JSON-encoded unless a string.
  signal?: AbortSignal;
  key?: string; // Overrides the session's key (sign-in checks a key before keeping it).
  accept?: string;
}

function headersFor(options: RequestOptions): Headers {
  const headers = new Headers();
  const key = options.key ?? currentKey();
  if (key !== null && key !== '') headers.set('Authorization', `Bearer ${key}`);
  if (options.body !== undefined) headers.set('Content-Type', 'application/json');
  if (options.accept !== undefined) headers.set('Accept', options.accept);
  return headers;
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; __type?: unknown };
    const code = typeof parsed.error === 'string' ? parsed.error : typeof parsed.__type === 'string' ? parsed.__type : 'error';
    const message = typeof parsed.message === 'string' ? parsed.message : text;
    return new ApiError(response.status, code, message);
  } catch {
    return new ApiError(response.status, 'error', text || response.statusText);
  }
}

// Sends a request and answers the raw Response when it is 2xx.
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const init: RequestInit = { method: options.method ?? 'GET', headers: headersFor(options) };
  if (options.body !== undefined) {
    init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  if (options.signal !== undefined) init.signal = options.signal;
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', `cannot reach the server: ${String(e)}`);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

// GET/POST/PUT/DELETE answering parsed JSON typed as T (the caller states the
// shape documented in docs/api.md).
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  return (await response.json()) as T;
}

export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

// Server-Sent Events with the Authorization header (EventSource cannot send
// one): calls onEvent for each event until the signal aborts or the server
// ends the stream. Resolves when the stream ends; rejects with ApiError.
export async function streamEvents(
  path: string,
  onEvent: (event: SseEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await send(path, { signal, accept: 'text/event-stream' });
  if (response.body === null) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseSseBlock(block);
        if (event !== null) onEvent(event);
      }
    }
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  } finally {
    reader.releaseLock();
  }
}

// One SSE block ("id: 3\nevent: x\ndata: ..."); null for comments only.
export function parseSseBlock(block: string): SseEvent | null {
  let id = '';
  let event = 'message';
  const data: string[] = [];
  let seen = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    seen = true;
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return seen ? { id, event, data: data.join('\n') } : null;
}
