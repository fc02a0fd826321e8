/**
 * Does this run's clock look wrong? A suspicion only ever makes a run more careful: it backs up,
 * deletes nothing automatically, and says why. Three signals, each used only where it can be had:
 *
 *  1. The new snapshot would be dated before the newest one of the prefix's sequence.
 *  2. Within one boot (the manifests record /proc/sys/kernel/random/boot_id), the wall clock may
 *     not run away from /proc/uptime (which counts suspend) by more than a few minutes.
 *  3. The destination's clock (a file written there without -t carries its time), but only when
 *     that clock agrees with the snapshots already there: a router without a real-time clock can
 *     be years behind, and such a clock never holds anything back.
 *
 * A run whose clock looked wrong says so in its manifest (`clockSuspect`), and later runs judge
 * their clock only by runs that were not suspect: a clock that stays wrong stays suspect.
 */
import { readFile } from 'node:fs/promises';
import type { Snapshot } from '../destination/snapshot.js';

/** What this machine says of its boot, read when the run starts. */
export interface BootClock {
  bootId: string | null;
  uptimeSeconds: number | null;
}

/** How far the wall clock may drift from the uptime within one boot (NTP slews a little). */
export const UPTIME_SLACK_MS = 5 * 60_000;
/** How much earlier than the newest snapshot a run may be dated (another machine's clock after an adopt). */
export const SEQUENCE_SLACK_MS = 5 * 60_000;
/** How far the destination's clock may be from this one. */
export const DESTINATION_SLACK_MS = 60 * 60_000;

export async function readBootClock(): Promise<BootClock> {
  const [boot, uptime] = await Promise.all([
    readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => null),
    readFile('/proc/uptime', 'utf8').catch(() => null),
  ]);
  const seconds = uptime === null ? NaN : Number(uptime.split(' ')[0]);
  return {
    bootId: boot === null || boot.trim() === '' ? null : boot.trim(),
    uptimeSeconds: Number.isFinite(seconds) ? seconds : null,
  };
}

/**
 * Signals 1 and 2, before anything is written: `snapshots` are the prefix's (in order, as
 * snapshotsOf gives them), `now` this run's start. Each suspicion is a sentence.
 */
export function clockSuspicions(
  snapshots: readonly Snapshot[],
  now: Date,
  boot: BootClock,
): string[] {
  const found: string[] = [];
  const sequenced = trusted(snapshots);
  const newest = sequenced.at(-1);
  if (newest !== undefined && now.getTime() < newest.time.getTime() - SEQUENCE_SLACK_MS) {
    found.push(
      `this computer's clock says ${stamp(now)}, earlier than the newest snapshot ` +
        `${newest.name} (dated ${stamp(newest.time)}): this clock is behind, or the clock of ` +
        'the run that made that snapshot was ahead',
    );
  }
  if (boot.bootId !== null && boot.uptimeSeconds !== null) {
    const sameBoot = sequenced.findLast(
      (s) => s.manifest?.bootId === boot.bootId && s.manifest.uptimeSeconds !== undefined,
    );
    const then = sameBoot?.manifest?.uptimeSeconds;
    if (sameBoot !== undefined && then !== undefined) {
      const wall = now.getTime() - sameBoot.time.getTime();
      const up = (boot.uptimeSeconds - then) * 1000;
      const drift = wall - up;
      if (Math.abs(drift) > UPTIME_SLACK_MS) {
        const moved = wall >= 0 ? `${span(wall)} forward` : `${span(-wall)} back`;
        found.push(
          `this computer has run for ${span(up)} without a restart since snapshot ` +
            `${sameBoot.name}, yet its clock moved ${moved}: it was put ` +
            `${drift > 0 ? 'forward' : 'back'} by about ${span(Math.abs(drift))}`,
        );
      }
    }
  }
  return found;
}

/**
 * Signal 3, once a file was written on the destination: `destinationNow` is its time there,
 * `now` this clock's at the same moment. Null when the clocks agree, or when the destination's
 * clock is itself behind the snapshots already there (no real-time clock), so it says nothing.
 */
export function destinationClockSuspicion(
  snapshots: readonly Snapshot[],
  now: Date,
  destinationNow: Date,
): string | null {
  const apart = now.getTime() - destinationNow.getTime();
  if (Math.abs(apart) <= DESTINATION_SLACK_MS) return null;
  const before = trusted(snapshots).at(-1);
  if (before === undefined) return null;
  if (destinationNow.getTime() < before.sequenceTime.getTime() - DESTINATION_SLACK_MS) return null;
  return (
    `the destination's clock says ${stamp(destinationNow)}, ${span(Math.abs(apart))} ` +
    `${apart > 0 ? 'behind' : 'ahead of'} this computer's (${stamp(now)})`
  );
}

/** The snapshots a clock is judged by: in the sequence, made by runs whose clock looked right. */
function trusted(snapshots: readonly Snapshot[]): Snapshot[] {
  return snapshots.filter((s) => s.state !== 'unfinished' && s.manifest?.clockSuspect !== true);
}

/** The warning a run with a suspect clock gives, naming each reason. */
export function suspectClockWarning(reasons: readonly string[]): string {
  // What happened comes first: a notification shows only the start of a long message.
  return (
    "This computer's clock looks wrong, so the backup was made but nothing was deleted " +
    `automatically: ${reasons.join('; and ')}. Old snapshots stay until a backup runs with a ` +
    'clock that agrees. Check the date and time settings (and that time synchronisation is on).'
  );
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}`
  );
}

/** "3 days", "5 hours", "12 minutes", "40 seconds": the largest unit that fits. */
export function span(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size) {
      const n = Math.round(ms / size);
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  const s = Math.round(ms / 1000);
  return `${s} second${s === 1 ? '' : 's'}`;
}
