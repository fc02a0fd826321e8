/**
 * `snaptray machines`: every prefix on the destination, whose it is, its snapshots and whether it
 * is overdue, from one listing. Reading only: it needs no settings, no prefix and no identity, and
 * writes nothing (no identity, no claim), so a new machine with only the ssh key can see what the
 * household's router holds. Text from the destination is escaped before it is printed.
 */
import { formatDestination } from '../../destination/address.js';
import { DEFAULT_SCHEDULE_HOURS, householdOf, type Machine } from '../../destination/household.js';
import { ownerWords } from '../../destination/household-hint.js';
import { listFindingRsync } from '../../destination/list-finding-rsync.js';
import { openDestination } from '../../destination/session.js';
import { sessionEnvironment } from '../../environment.js';
import type { Failure } from '../../errors.js';
import { safeText } from '../../terminal-text.js';
import { spawnProcess } from '../../process.js';
import type { CliArgs } from '../args.js';
import { failedOutput, plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { machines: [], warnings: [], error };
}

export async function machines(
  _args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const failed = (error: Failure) =>
    failedOutput(failureJson, ctx.signal.aborted ? 5 : 1, {
      ...error,
      message: safeText(error.message),
    });
  const opened = await openDestination(
    sessionEnvironment(ctx.places, spawnProcess),
    r.dest,
    r.profile.ssh,
    ctx.signal,
  );
  if (!opened.ok) return failed(opened.failure);
  try {
    const rsyncPath = r.dest.kind === 'ssh' ? r.profile.ssh.rsyncPath : null;
    const listed = await listFindingRsync(opened.value.ctx, rsyncPath, ctx.signal);
    if (!listed.ok) return failed(listed.failure);
    const { listing, warning } = listed.value;
    const where = formatDestination(r.dest);
    const household = householdOf(listing, new Date());
    const warnings = [
      ...(warning !== null ? [warning] : []),
      ...(listing.hasMarker
        ? []
        : [
            `${where} has no .snaptray-destination marker: Snaptray has not set it up, or the disk ` +
              'is not mounted and this is only its mount point.',
          ]),
      ...household.warnings,
    ].map(safeText);
    return {
      exitCode: 0,
      json: { machines: household.machines.map(machineJson), warnings, error: null },
      text: safeText(table(household.machines, where)),
      warnings,
    };
  } finally {
    await opened.value.close();
  }
}

/** What scripts read: exactly the keys the README gives, in its order. */
function machineJson(m: Machine): Record<string, unknown> {
  return {
    prefix: m.prefix,
    claimed: m.claimed,
    legacy: m.legacy,
    host: m.host,
    user: m.user,
    profile: m.profile,
    snapshots: m.snapshots,
    states: m.states,
    lastOk:
      m.lastGood === null ? null : { name: m.lastGood.name, time: m.lastGood.time.toISOString() },
    overdue: m.overdue,
    overdueDays: m.daysSinceGood,
  };
}

const HEAD = ['PREFIX', 'OWNER', 'SNAPSHOTS', 'NEWEST GOOD', 'BACKUPS'];

/** One row per prefix, columns padded; lines with `\n` between them, ending in one. */
function table(list: readonly Machine[], where: string): string {
  if (list.length === 0) return `No snapshots on ${where}.\n`;
  const rows = [HEAD, ...list.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  lines.push(
    '',
    `${plural(list.length, 'prefix', 'prefixes')} on ${where}.`,
    'Read the snapshots of one with --prefix PREFIX; continue its history on this machine with ' +
      '"snaptray adopt --prefix PREFIX".',
  );
  return lines.join('\n') + '\n';
}

function cells(m: Machine): string[] {
  const owner =
    ownerWords(m) ??
    (m.ownerProblem !== null ? 'owner file unreadable' : m.claimed ? 'unknown' : 'nobody yet');
  const unclaimed = !m.claimed && !m.legacy && m.host !== null ? ' (no owner file)' : '';
  const states = Object.entries(m.states)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const last = m.lastGood;
  const newest =
    last === null
      ? '-'
      : `${last.name} (${m.daysSinceGood === 0 ? 'today' : `${plural(m.daysSinceGood ?? 0, 'day')} ago`})`;
  const backups = m.overdue
    ? m.scheduleHours !== null
      ? `overdue (backs up every ${everyWords(m.scheduleHours)})`
      : `overdue (none in ${plural(DEFAULT_SCHEDULE_HOURS / 24, 'day')})`
    : last === null
      ? 'none yet'
      : 'on time';
  return [
    m.prefix,
    owner + unclaimed,
    m.snapshots === 0 ? '0' : `${m.snapshots}: ${states}`,
    newest,
    backups,
  ];
}

function everyWords(hours: number): string {
  return hours % 24 === 0 ? plural(hours / 24, 'day') : plural(hours, 'hour');
}
