import type { Clock } from '../../electron/tray/clock.js';

/** The tray scheduler's clock in tests: timers fire only when a test moves time forward. */
export class TestClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  constructor(private time: number) {}
  now(): Date {
    return new Date(this.time);
  }
  setTimer(ms: number, fn: () => void): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward and fires the timers that came due, as a running machine would. */
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= this.time) {
        this.timers.delete(id);
        timer.fn();
      }
    }
  }
  /** Moves time forward with no timer firing: the machine was asleep. */
  sleep(ms: number): void {
    this.time += ms;
  }
}
