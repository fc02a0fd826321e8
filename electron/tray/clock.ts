/** Time as the tray's scheduler sees it; tests move it forward by hand. */
export interface Clock {
  now(): Date;
  /** Calls `fn` once `ms` of this clock's time have passed. */
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
