/**
 * Telling the user when another machine on the profile's destination has fallen behind: after
 * each of the profile's own backups, from the listing that backup made anyway, every other prefix
 * that has had no good snapshot for longer than its owner's schedule allows (household.ts) is
 * named in one notification, once per overdue episode. The episodes already told are kept in the
 * profile's state folder, so a restart does not tell them again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { householdOf, type Machine } from '../../core/destination/household.js';
import type { DestinationListing } from '../../core/destination/snapshot.js';
import type { NotificationEvent } from '../../core/notification-text.js';
import { writeAtomically } from '../../core/state/write-atomically.js';
import { isOwn, type Owners } from '../shared/own-prefix.js';

/**
 * PERSISTED (state, not settings): `{"format": 1, "told": {"<prefix>": "<episode>"}}`, where an
 * episode is the name of the prefix's newest good snapshot when it became overdue ("" without one).
 */
export const TOLD_FILE = 'others-overdue.json';

/** Which episode a machine's lateness belongs to: it ends when a newer good snapshot arrives. */
function episodeOf(m: Machine): string {
  return m.lastGood?.name ?? '';
}

/**
 * The other machines to tell about now, and what to remember. Pure: a machine no longer overdue
 * is forgotten, so its next lateness is told again.
 */
export function overdueNews(
  machines: readonly Machine[],
  owners: Owners,
  told: Readonly<Record<string, string>>,
): { tell: Machine[]; told: Record<string, string> } {
  const tell: Machine[] = [];
  const next: Record<string, string> = {};
  for (const m of machines) {
    if (!m.overdue || isOwn(m, owners)) continue;
    next[m.prefix] = episodeOf(m);
    if (told[m.prefix] !== episodeOf(m)) tell.push(m);
  }
  return { tell, told: next };
}

export function overdueEvent(m: Machine, now: Date): NotificationEvent {
  return {
    kind: 'machine-overdue',
    host: m.host,
    prefix: m.prefix,
    lastGoodAt: m.lastGood?.sequenceTime ?? null,
    scheduleHours: m.scheduleHours,
    now,
  };
}

async function readTold(file: string): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { told?: unknown };
    const told = parsed.told;
    if (typeof told !== 'object' || told === null) return {};
    return Object.fromEntries(
      Object.entries(told).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    // None yet, or unreadable: tell again rather than never.
    return {};
  }
}

/** Checks the listing a backup made; notifies through `notify` (which applies the switch). */
export async function tellOverdueMachines(opts: {
  stateDir: string;
  listing: DestinationListing;
  owners: Owners;
  now: Date;
  notify: (event: NotificationEvent) => Promise<void>;
}): Promise<void> {
  const file = join(opts.stateDir, TOLD_FILE);
  const household = householdOf(opts.listing, opts.now);
  const before = await readTold(file);
  const news = overdueNews(household.machines, opts.owners, before);
  for (const m of news.tell) await opts.notify(overdueEvent(m, opts.now));
  if (JSON.stringify(news.told) !== JSON.stringify(before)) {
    await writeAtomically(file, `${JSON.stringify({ format: 1, told: news.told })}\n`);
  }
}
