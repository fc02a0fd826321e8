import type { RetentionPolicy as RetentionSettings } from '../settings/schema.js';
import { compareSnapshots, isComplete, type Snapshot } from '../destination/snapshot.js';

/** The rules that decide which snapshots stay (the settings' retention without makeRoom). */
export type RetentionPolicy = Omit<RetentionSettings, 'makeRoom' | 'makeRoomKeep'>;

/** What to keep and what to delete among one prefix's complete snapshots, each oldest first. */
export interface RetentionPlan {
  keep: { name: string; reasons: string[] }[];
  delete: { name: string; reason: string }[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

type PeriodKind = 'day' | 'week' | 'month';

interface PeriodRule {
  kind: PeriodKind;
  /** How many periods are kept, counting the current one. */
  count: number;
  /** The newest non-future snapshot of each period, by period number. */
  newest: Map<number, Snapshot>;
  /** The newest non-future snapshot of each period whose every file was copied (ok or legacy). */
  newestOk: Map<number, Snapshot>;
}

/**
 * Plans which complete snapshots (ok, partial, legacy) to keep, by their times made monotone along
 * the prefix's sequence (`sequenceTime`), never by a recorded time alone; unfinished and unknown ones are
 * left out of both lists (see `supersededIncomplete`). The caller passes only the prefix owner's
 * own snapshots. Rules, in order: the newest snapshot and the newest ok one, snapshots dated
 * after `now`, and those younger than `keepAllHours` are always kept; anything older than
 * `maxAgeDays` is deleted; else the newest of each recent day, ISO week and month, and also the
 * newest ok one of each, so that a partial snapshot never takes a complete one's place (a file
 * that can never be read makes every run partial, so partial ones are kept too).
 */
export function planRetention(
  snapshots: readonly Snapshot[],
  policy: RetentionPolicy,
  now: Date,
): RetentionPlan {
  const planned = snapshots.filter(isComplete).sort(compareSnapshots);
  const newest = planned.at(-1);
  const newestOk = planned.findLast(isFullyCopied);
  // "For N days" means the N most recent local calendar days counting today; weeks and months alike.
  const rules: PeriodRule[] = (['day', 'week', 'month'] as const).map((kind) => ({
    kind,
    count:
      kind === 'day'
        ? policy.dailyDays
        : kind === 'week'
          ? policy.weeklyWeeks
          : policy.monthlyMonths,
    newest: new Map(),
    newestOk: new Map(),
  }));
  for (const s of planned) {
    // A snapshot dated in the future has an untrustworthy clock: it must not take a period's place.
    if (s.sequenceTime.getTime() > now.getTime()) continue;
    for (const rule of rules) {
      const period = periodNumber(rule.kind, s.sequenceTime);
      rule.newest.set(period, s);
      if (isFullyCopied(s)) rule.newestOk.set(period, s);
    }
  }

  const plan: RetentionPlan = { keep: [], delete: [] };
  for (const s of planned) {
    const age = now.getTime() - s.sequenceTime.getTime();
    const reasons: string[] = [];
    if (s === newest) reasons.push('newest');
    else if (s === newestOk) reasons.push('newest ok snapshot');
    if (age < 0) {
      reasons.push('dated in the future');
    } else if (age < policy.keepAllHours * HOUR_MS) {
      reasons.push(`within ${countOf(policy.keepAllHours, 'hour')}`);
    }
    // Elapsed time, like the old script's OLD_AGE, so a DST change does not shift it by an hour.
    const maxAge = policy.maxAgeDays;
    const tooOld = maxAge !== null && age > maxAge * DAY_MS;
    if (!tooOld) {
      for (const rule of rules) {
        const period = periodNumber(rule.kind, s.sequenceTime);
        if (!inWindow(rule, period, now)) continue;
        if (rule.newest.get(period) === s) {
          reasons.push(`newest of ${periodLabel(rule.kind, s.sequenceTime)}`);
        } else if (rule.newestOk.get(period) === s) {
          reasons.push(`newest ok snapshot of ${periodLabel(rule.kind, s.sequenceTime)}`);
        }
      }
    }
    if (reasons.length > 0) {
      plan.keep.push({ name: s.name, reasons });
    } else {
      const reason = tooOld
        ? `older than ${countOf(maxAge, 'day')}`
        : describeUnkept(s, rules, policy, now);
      plan.delete.push({ name: s.name, reason });
    }
  }
  return plan;
}

/**
 * Unfinished snapshots that are provably dead, oldest first: those started before a complete
 * snapshot that has a manifest (so a run of the owner, which holds the lock, finished after
 * them). A name from a DST change's repeated hour must be older under both readings. The caller
 * passes only the prefix owner's own snapshots.
 */
export function supersededIncomplete(snapshots: readonly Snapshot[]): string[] {
  const sorted = [...snapshots].sort(compareSnapshots);
  const newestFinished = sorted.findLast((s) => s.state === 'ok' || s.state === 'partial');
  if (!newestFinished) return [];
  return sorted
    .filter(
      (s) =>
        s.state === 'unfinished' && s.latestTime.getTime() < newestFinished.sequenceTime.getTime(),
    )
    .map((s) => s.name);
}

/** ok, or legacy (the old script kept no record of unreadable files): every file was copied. */
function isFullyCopied(s: Snapshot): boolean {
  return s.state === 'ok' || s.state === 'legacy';
}

function inWindow(rule: PeriodRule, period: number, now: Date): boolean {
  const back = periodNumber(rule.kind, now) - period;
  // Only past snapshots are asked about: one dated in the future is kept for that alone.
  return back < rule.count;
}

/** Why a snapshot that no rule keeps goes: the finest period window it falls in, if any. */
function describeUnkept(
  s: Snapshot,
  rules: readonly PeriodRule[],
  policy: RetentionPolicy,
  now: Date,
): string {
  for (const rule of rules) {
    if (inWindow(rule, periodNumber(rule.kind, s.sequenceTime), now)) {
      return `not the newest of its ${rule.kind}`;
    }
  }
  const windows = rules.filter((r) => r.count > 0).map((r) => countOf(r.count, r.kind, ''));
  if (windows.length > 0) {
    const last = windows.pop() ?? '';
    return `not in the last ${windows.length > 0 ? `${windows.join(', ')} or ${last}` : last}`;
  }
  if (policy.keepAllHours > 0) return `older than ${countOf(policy.keepAllHours, 'hour')}`;
  return 'no rule keeps it';
}

/** Days since 1970-01-01 of the local calendar date, immune to DST because it ignores the clock. */
function localDayNumber(t: Date): number {
  return Math.round(Date.UTC(t.getFullYear(), t.getMonth(), t.getDate()) / DAY_MS);
}

/** Numbers consecutive periods consecutively, so a window is a plain subtraction. */
function periodNumber(kind: PeriodKind, t: Date): number {
  switch (kind) {
    case 'day':
      return localDayNumber(t);
    case 'week':
      // 1970-01-01 was a Thursday; shifting by 3 days makes weeks start on Monday.
      return Math.floor((localDayNumber(t) + 3) / 7);
    case 'month':
      return t.getFullYear() * 12 + t.getMonth();
  }
}

function periodLabel(kind: PeriodKind, t: Date): string {
  const ymd = [t.getFullYear(), pad(t.getMonth() + 1), pad(t.getDate())];
  switch (kind) {
    case 'day':
      return ymd.join('-');
    case 'week':
      return `week ${isoWeek(t)}`;
    case 'month':
      return ymd.slice(0, 2).join('-');
  }
}

/** ISO 8601 week such as `2026-W48`: the week belongs to the year that holds its Thursday. */
function isoWeek(t: Date): string {
  const day = localDayNumber(t);
  const thursday = day - ((((day + 3) % 7) + 7) % 7) + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return `${year}-W${pad(week)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function countOf(n: number, unit: string, one = '1 '): string {
  return n === 1 ? `${one}${unit}` : `${n} ${unit}s`;
}
