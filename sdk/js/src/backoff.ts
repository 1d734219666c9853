// Retry timing: exponential back-off with full jitter, and Retry-After parsing
// (delta-seconds or an HTTP date). Pure functions.

/** The wait before attempt `attempt` (0-based): uniform in [0, min(max, base·2^attempt)]. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * Math.pow(2, Math.min(attempt, 52)));
  return Math.floor(random() * cap);
}

/** Retry-After in milliseconds from now, or 0 when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number {
  if (value === null || value === undefined) return 0;
  const v = value.trim();
  if (v === '') return 0;
  if (/^\d+$/.test(v)) return Math.min(Number(v), 86400) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, at - nowMs);
}

/** The wait before the next attempt: back-off, with Retry-After as the least wait. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, retryAfterMs: number,
                             random: () => number = Math.random): number {
  return Math.max(backoffMs(attempt, baseMs, maxMs, random), retryAfterMs);
}
