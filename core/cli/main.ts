#!/usr/bin/env node
/** The `snaptray` command: the same engine as the tray app, for cron and terminals. */
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkDestination } from '../destination/check.js';
import { formatDestination } from '../destination/address.js';
import { deleteSnapshots, listDestination } from '../destination/ops.js';
import { initialiseDestination } from '../destination/initialise.js';
import { openDestination } from '../destination/session.js';
import { backupEnvironment, places, sessionEnvironment, type Places } from '../environment.js';
import type { Failure } from '../errors.js';
import { formatBytes, formatDuration } from '../format.js';
import { importConfigText } from '../import-config.js';
import { spawnProcess } from '../process.js';
import { planRetention, supersededIncomplete } from '../backup/retention.js';
import { runBackup, type BackupResult } from '../backup/run.js';
import { profileSchema } from '../settings/schema.js';
import { describeErrors, openConfStore, saveSettings } from '../settings/store.js';
import { snapshotsOf } from '../destination/snapshot.js';
import { acquireLock } from '../state/lock.js';
import { profileStateDir } from '../state/paths.js';
import { appVersion } from '../version.js';
import { parseCli, USAGE, type CliArgs, type CommandName } from './args.js';
import { configPathOf, openSettings, resolveProfile, type ResolvedProfile } from './profile.js';
import { createProgressReporter } from './progress-bar.js';

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

type Output = { exitCode: number; json: Record<string, unknown>; text: string };

export async function main(
  argv: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout.write(`snaptray ${appVersion()}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const parsed = parseCli(argv);
  if (!parsed.ok) {
    const helpOnly = parsed.message === '' || (parsed.command === null && !parsed.json);
    if (parsed.json) {
      io.stdout.write(
        JSON.stringify(errorShape(parsed.command, { kind: 'usage', message: parsed.message })) +
          '\n',
      );
    }
    if (parsed.message) io.stderr.write(`snaptray: ${parsed.message}\n\n`);
    io.stderr.write(`${USAGE}\n`);
    return helpOnly && parsed.message === '' ? 0 : 2;
  }
  const args = parsed.args;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let out: Output;
  try {
    out = await run(args, places(env), controller.signal, io);
  } catch (e) {
    out = failed(args.command, 1, { kind: 'internal', message: (e as Error).stack ?? String(e) });
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  if (args.json) io.stdout.write(JSON.stringify(out.json) + '\n');
  else if (out.exitCode === 0 || out.exitCode === 3) io.stdout.write(out.text);
  if (out.exitCode !== 0 || args.json) {
    if (out.text && (args.json || (out.exitCode !== 0 && out.exitCode !== 3)))
      io.stderr.write(out.text);
  }
  return out.exitCode;
}

function errorShape(command: string | null, error: Failure): Record<string, unknown> {
  switch (command as CommandName | null) {
    case 'backup':
      return {
        outcome: 'failed',
        snapshot: null,
        rsyncExitCode: null,
        files: null,
        bytesSent: null,
        durationMs: 0,
        logPath: null,
        warnings: [],
        error,
      };
    case 'list':
      return { snapshots: [], error };
    case 'prune':
      return { dryRun: false, keep: [], delete: [], warnings: [], error };
    case 'check':
      return { steps: [], error };
    case 'import-config':
      return { profile: null, imported: [], notImported: [], warnings: [], error };
    default:
      return { error };
  }
}

function failed(command: CommandName, exitCode: number, error: Failure): Output {
  return { exitCode, json: errorShape(command, error), text: `snaptray: ${error.message}\n` };
}

async function run(args: CliArgs, p: Places, signal: AbortSignal, io: Io): Promise<Output> {
  if (args.command === 'import-config') return importConfig(args, p);
  const resolved = await resolveProfile(args, p.configFile);
  if (!resolved.ok) return failed(args.command, 2, { kind: 'settings', message: resolved.message });
  const r = resolved.value;
  switch (args.command) {
    case 'backup':
      return backup(args, p, r, signal, io);
    case 'list':
      return list(p, r, signal);
    case 'prune':
      return prune(args, p, r, signal);
    case 'check':
      return check(p, r, signal);
    case 'init':
      return init(p, r, signal);
  }
}

async function backup(
  args: CliArgs,
  p: Places,
  r: ResolvedProfile,
  signal: AbortSignal,
  io: Io,
): Promise<Output> {
  if (r.profile.sources.length === 0) {
    return failed('backup', 2, {
      kind: 'settings',
      message: `No sources are set for profile "${r.name}": pass --source PATH or set them in the settings.`,
    });
  }
  const env = backupEnvironment(p, r.name, spawnProcess, 'cli');
  const result = await runBackup(env, {
    profileName: r.name,
    profile: r.profile,
    force: args.force,
    signal,
    onEvent: args.json ? undefined : createProgressReporter(io.stderr),
  });
  return { exitCode: result.exitCode, json: backupJson(result), text: backupText(result) };
}

function backupJson(r: BackupResult): Record<string, unknown> {
  return {
    outcome: r.outcome,
    snapshot: r.snapshot,
    rsyncExitCode: r.rsyncExitCode,
    files: r.files,
    bytesSent: r.bytesSent,
    durationMs: r.durationMs,
    logPath: r.logPath,
    warnings: r.warnings,
    error: r.error,
  };
}

function backupText(r: BackupResult): string {
  const lines: string[] = [];
  switch (r.outcome) {
    case 'ok':
    case 'partial':
      lines.push(
        `${r.outcome === 'ok' ? 'Backed up' : 'Completed with errors'}: ${r.snapshot} — ` +
          `${(r.files ?? 0).toLocaleString('en-US')} files, ${formatBytes(r.bytesSent ?? 0)} sent, ` +
          `${formatDuration(r.durationMs)}.`,
      );
      break;
    default:
      lines.push(
        `Backup ${r.outcome === 'failed' ? 'failed' : `not run (${r.outcome})`}: ${r.error?.message ?? ''}`,
      );
  }
  if (r.outcome === 'partial' && r.error) lines.push(r.error.message);
  if (r.logPath) lines.push(`Log: ${r.logPath}`);
  return lines.join('\n') + '\n';
}

async function withListing<T extends Output>(
  command: CommandName,
  p: Places,
  r: ResolvedProfile,
  signal: AbortSignal,
  body: (
    ctx: Parameters<typeof listDestination>[0],
    listing: Extract<Awaited<ReturnType<typeof listDestination>>, { ok: true }>['value'],
  ) => Promise<T | Output>,
): Promise<Output> {
  const opened = await openDestination(
    sessionEnvironment(p, spawnProcess),
    r.dest,
    r.profile.ssh,
    signal,
  );
  if (!opened.ok) return failed(command, 1, opened.failure);
  try {
    const listing = await listDestination(opened.value.ctx);
    if (!listing.ok) return failed(command, signal.aborted ? 5 : 1, listing.failure);
    if (!listing.value.hasMarker && command !== 'init') {
      return failed(command, 1, {
        kind: 'not-initialised',
        message:
          `${formatDestination(r.dest)} has no .snaptray-destination marker: it is not set up, or the ` +
          'disk is not mounted. If it is the right folder on a mounted disk, run "snaptray init".',
      });
    }
    return await body(opened.value.ctx, listing.value);
  } finally {
    await opened.value.close();
  }
}

async function list(p: Places, r: ResolvedProfile, signal: AbortSignal): Promise<Output> {
  return withListing('list', p, r, signal, async (_ctx, listing) => {
    const { snapshots, warnings } = snapshotsOf(r.profile.prefix, listing);
    const rows = snapshots.map((s) => ({
      name: s.name,
      time: s.time.toISOString(),
      state: s.state,
      status: s.status,
    }));
    const text =
      rows.length === 0
        ? `No snapshots named ${r.profile.prefix}-… on ${formatDestination(r.dest)}.\n`
        : rows
            .map(
              (s) =>
                `${s.name}  ${s.state}${s.status && s.state !== 'legacy' ? ` (${s.status})` : ''}`,
            )
            .join('\n') + '\n';
    return { exitCode: 0, json: { snapshots: rows, warnings }, text };
  });
}

async function prune(
  args: CliArgs,
  p: Places,
  r: ResolvedProfile,
  signal: AbortSignal,
): Promise<Output> {
  const stateDir = profileStateDir(p.stateRoot, r.name);
  const lock = args.dryRun
    ? null
    : await acquireLock(stateDir, {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        source: 'cli',
      });
  if (lock?.kind === 'held') {
    return failed('prune', 4, {
      kind: 'refused',
      message: `A backup of this profile is running (process ${lock.pid}); prune later.`,
    });
  }
  try {
    return await withListing('prune', p, r, signal, async (ctx, listing) => {
      const { snapshots, warnings } = snapshotsOf(r.profile.prefix, listing);
      const owner = [...snapshots].reverse().find((s) => s.manifest)?.manifest?.host;
      if (owner !== undefined && owner !== hostname()) {
        return failed('prune', 1, {
          kind: 'prefix-owned',
          message: `The snapshots named "${r.profile.prefix}-…" belong to "${owner}", not to this machine; nothing is pruned.`,
        });
      }
      const plan = planRetention(snapshots, r.profile.retention, new Date());
      const doomed = [
        ...supersededIncomplete(snapshots).map((name) => ({
          name,
          reason: 'unfinished, and a newer complete snapshot exists',
        })),
        ...plan.delete,
      ];
      if (!args.dryRun && doomed.length > 0) {
        const deleted = await deleteSnapshots(
          ctx,
          doomed.map((d) => d.name),
        );
        if (!deleted.ok) warnings.push(`Deleting failed: ${deleted.failure.message}`);
      }
      const json = { dryRun: args.dryRun, keep: plan.keep, delete: doomed, warnings };
      const verb = args.dryRun ? 'Would delete' : 'Deleted';
      const text =
        plan.keep.map((k) => `keep    ${k.name}  (${k.reasons.join(', ')})`).join('\n') +
        (plan.keep.length ? '\n' : '') +
        doomed.map((d) => `${verb.toLowerCase().padEnd(7)} ${d.name}  (${d.reason})`).join('\n') +
        (doomed.length ? '\n' : '') +
        warnings.map((w) => `Warning: ${w}\n`).join('');
      return { exitCode: 0, json, text };
    });
  } finally {
    if (lock?.kind === 'acquired') await lock.release();
  }
}

async function check(p: Places, r: ResolvedProfile, signal: AbortSignal): Promise<Output> {
  const steps = await checkDestination(
    sessionEnvironment(p, spawnProcess),
    r.dest,
    r.profile.ssh,
    signal,
  );
  const allOk = steps.every((s) => s.ok);
  const text =
    steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'}  ${s.step}: ${s.message}`).join('\n') + '\n';
  return {
    exitCode: allOk ? 0 : 1,
    json: { steps: steps.map(({ step, ok, message }) => ({ step, ok, message })) },
    text,
  };
}

async function init(p: Places, r: ResolvedProfile, signal: AbortSignal): Promise<Output> {
  return withListing('init', p, r, signal, async (ctx, listing) => {
    const where = formatDestination(r.dest);
    const written = await initialiseDestination(ctx, listing.hasMarker, new Date(), hostname());
    if (!written.ok) return failed('init', 1, written.failure);
    const saved = savePrefix(r);
    const text =
      (listing.hasMarker
        ? `${where} is already a Snaptray destination.\n`
        : `${where} is now a Snaptray destination.\n`) +
      (saved ? `Saved the prefix "${r.profile.prefix}" for profile "${r.name}".\n` : '');
    return {
      exitCode: 0,
      json: {
        destination: where,
        initialised: !listing.hasMarker,
        prefix: r.profile.prefix,
        error: null,
      },
      text,
    };
  });
}

/** The prefix defaults to the host name; saving it keeps snapshots linked after a rename. */
function savePrefix(r: ResolvedProfile): boolean {
  if (!r.backend || !r.settings) return false;
  const stored = r.settings.profiles[r.name];
  if (!stored || stored.prefix !== '') return false;
  const next = {
    ...r.settings,
    profiles: { ...r.settings.profiles, [r.name]: { ...stored, prefix: r.profile.prefix } },
  };
  return saveSettings(r.backend, next).ok;
}

async function importConfig(args: CliArgs, p: Places): Promise<Output> {
  const file = resolve(args.file ?? '');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return failed('import-config', 2, {
      kind: 'usage',
      message: `${file} cannot be read: ${(e as Error).message}`,
    });
  }
  let host: { user?: string; host: string } | undefined;
  if (args.host !== null) {
    const at = args.host.lastIndexOf('@');
    host =
      at >= 0
        ? { user: args.host.slice(0, at), host: args.host.slice(at + 1) }
        : { host: args.host };
  }
  const report = importConfigText(text, host ? { host } : {});
  const configPath = configPathOf(args, p.configFile);
  const opened = await openSettings(configPath, false);
  if (!opened.ok) return failed('import-config', 2, { kind: 'settings', message: opened.message });
  const existing = opened.settings?.profiles[args.profile];
  const merged = profileSchema.safeParse(mergeProfile(existing ?? {}, report.profile));
  if (!merged.success) {
    return failed('import-config', 2, {
      kind: 'settings',
      message: describeErrors(
        file,
        merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      ),
    });
  }
  const settings = opened.settings ?? { version: 1 as const, profiles: {} };
  const backend = opened.backend ?? (await openConfStore(configPath));
  const saved = saveSettings(backend, {
    ...settings,
    profiles: { ...settings.profiles, [args.profile]: merged.data },
  });
  if (!saved.ok)
    return failed('import-config', 2, {
      kind: 'settings',
      message: describeErrors(configPath, saved.errors),
    });
  const lines = [
    `Imported into profile "${args.profile}" of ${configPath}:`,
    ...report.imported.map((i) => `  ${i}`),
    ...(report.notImported.length
      ? ['Not imported:', ...report.notImported.map((n) => `  ${n.name}: ${n.why}`)]
      : []),
    ...report.warnings.map((w) => `Warning: ${w}`),
  ];
  return {
    exitCode: 0,
    json: {
      profile: args.profile,
      imported: report.imported,
      notImported: report.notImported,
      warnings: report.warnings,
      error: null,
    },
    text: lines.join('\n') + '\n',
  };
}

function mergeProfile(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] =
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      b &&
      typeof b === 'object' &&
      !Array.isArray(b)
        ? mergeProfile(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export { appVersion };

/** True when this file is the program being run (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await main(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr },
    process.env,
  );
  process.exitCode = code;
}
