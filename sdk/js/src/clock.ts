// The clock seam: wall time and timers, replaceable in tests (session timeout,
// back-off). Implementations are used from the JS thread only.

/** What a clock's setTimeout returns: a number in browsers, an object in Node (never null). */
export type TimerHandle = object | number;

export interface Clock {
  nowMs(): number;
  /** `keepAlive`: in Node, the timer keeps the process running (someone waits on it). */
  setTimeout(fn: () => void, ms: number, keepAlive?: boolean): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimeout: (fn, ms, keepAlive) => {
    const t = globalThis.setTimeout(fn, ms);
    // The SDK's own timers must not keep a Node process alive (a game's server exits when done).
    if (keepAlive !== true) (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};
