/** The end of a pause as `snaptray pause --for` and `--until` take it. */

export type PauseEnd = { ok: true; until: Date | null } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--for 90m`, `--for 1h30m`, `--for 2d`; `--until 2026-11-30T08:00` (ISO-8601; without a zone,
 * local time), `--until "2026-11-30 08:00"`, or `--until 14:30`, the next 14:30 of local time.
 * Neither: until resumed (null).
 */
export function pauseEnd(forText: string | null, untilText: string | null, now: Date): PauseEnd {
  if (forText !== null && untilText !== null) {
    return { ok: false, message: 'Give --for or --until, not both.' };
  }
  if (forText !== null) {
    const ms = parseDuration(forText);
    if (ms === null) {
      return {
        ok: false,
        message: `--for "${forText}" is not a duration: write it as 30m, 2h, 1h30m or 1d.`,
      };
    }
    return { ok: true, until: new Date(now.getTime() + ms) };
  }
  if (untilText !== null) {
    const at = parseUntil(untilText, now);
    if (at === null) {
      return {
        ok: false,
        message:
          `--until "${untilText}" is not a time: write HH:MM (its next occurrence, local time) ` +
          'or an ISO-8601 date and time such as 2026-11-30T08:00.',
      };
    }
    if (at.getTime() <= now.getTime()) {
      return { ok: false, message: `--until "${untilText}" is in the past.` };
    }
    return { ok: true, until: at };
  }
  return { ok: true, until: null };
}

/** Milliseconds of "1h30m", "45m", "2d"; null when it is not such a duration or is zero. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+\s*[mhd]\s*)+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, count, unit] of trimmed.matchAll(/(\d+)\s*([mhd])/g)) {
    total += Number(count) * (UNIT_MS[unit ?? ''] ?? 0);
  }
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

/** A time of day means its next occurrence; a date and time without a zone is local time. */
export function parseUntil(text: string, now: Date): Date | null {
  const trimmed = text.trim();
  const clock = /^(\d{1,2}):(\d{2})$/.exec(trimmed);
  if (clock !== null) {
    const hours = Number(clock[1]);
    const minutes = Number(clock[2]);
    if (hours > 23 || minutes > 59) return null;
    for (let offset = 0; offset < 3; offset++) {
      const at = new Date(
        now.getFullYear(),
        now.getMonth(),
        now.getDate() + offset,
        hours,
        minutes,
      );
      if (at.getTime() > now.getTime()) return at;
    }
    return null;
  }
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      trimmed,
    );
  if (iso === null) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = iso;
  const parts = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hours, minutes, seconds] = parts;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hours > 23 ||
    minutes > 59 ||
    seconds > 59
  ) {
    return null;
  }
  if (zone === undefined) {
    const local = new Date(year, month - 1, day, hours, minutes, seconds);
    return local.getDate() === day ? local : null;
  }
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(at.getTime()) ? null : at;
}
