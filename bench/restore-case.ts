/**
 * Case 7, getting files back, each measured beside its reference in one run:
 *   versions  one file's versions across 200 snapshots over ssh: connections, rsync calls, time;
 *   restore   a folder restored by `snaptray restore --to`, against a plain `rsync -a` pull of it;
 *   diff      two snapshots of the whole tree compared: time and the CLI's peak memory.
 * Snapshots are hard-linked copies with written manifests, as --link-dest makes them.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Destination } from '../core/destination/address.js';
import { listDestination } from '../core/destination/ops.js';
import { openDestination } from '../core/destination/session.js';
import { MARKER_NAME, manifestName, snapshotName } from '../core/destination/snapshot-name.js';
import { snapshotsOf } from '../core/destination/snapshot.js';
import { spawnProcess, type Spawn } from '../core/process.js';
import { completeSnapshots } from '../core/restore/choose.js';
import { fileVersions } from '../core/restore/versions.js';
import type { Sshd } from '../test/support/sshd.js';
import { CLI, type SshTarget } from './contenders.js';
import { median, rotateOrder, runChecked, runTimed } from './measure.js';
import { inspectCopy, treeFileNames, type TreeShape } from './tree.js';

const run = promisify(execFile);
const PREFIX = 'b';

/** The marker, as `snaptray init` writes it, so the CLI reads the folder. */
async function markDestination(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER_NAME), '{"format":1}\n');
}

async function writeManifest(dir: string, name: string, at: Date): Promise<void> {
  const manifest = {
    format: 1,
    host: 'bench',
    prefix: PREFIX,
    startedAt: at.toISOString(),
    endedAt: at.toISOString(),
    rsyncExitCode: 0,
    status: 'ok',
    files: 0,
    bytesSent: 0,
    appVersion: '0.0.0',
  };
  await writeFile(join(dir, manifestName(name)), JSON.stringify(manifest, null, 2) + '\n');
}

/** A snapshot of `source` in `dir`, hard-linked to the files (as a no-change snapshot is). */
async function linkSnapshot(source: string, dir: string, name: string, at: Date): Promise<void> {
  await mkdir(join(dir, name, source, '..'), { recursive: true });
  await run('cp', ['-al', source, join(dir, name, source)]);
  await writeManifest(dir, name, at);
}

function cliDest(dir: string, ssh: SshTarget | null): string[] {
  return [
    '--dest',
    ssh ? `${ssh.user}@127.0.0.1:${dir}` : dir,
    '--prefix',
    PREFIX,
    ...(ssh?.cliFlags ?? []),
  ];
}

export interface VersionsFigures {
  snapshots: number;
  versions: number;
  /** Over the CLI run. */
  connections: number;
  /** Started by the engine for the versions themselves, and for the destination listing before. */
  rsyncCalls: number;
  listingCalls: number;
  cliMs: number;
  engineMs: number;
}

/** `count` snapshots, one hour apart, in which report.txt changes every 20th. */
export async function timeVersions(
  root: string,
  ssh: Sshd,
  target: SshTarget,
  env: NodeJS.ProcessEnv,
  count: number,
  reps: number,
): Promise<VersionsFigures> {
  const dir = join(root, 'versions-dest');
  const file = '/home/ben/docs/report.txt';
  await markDestination(dir);
  const start = new Date(Date.now() - count * 3_600_000);
  let previous: string | null = null;
  for (let i = 0; i < count; i++) {
    const at = new Date(start.getTime() + i * 3_600_000);
    const name = snapshotName(PREFIX, at);
    if (previous === null) {
      await mkdir(join(dir, name, '/home/ben/docs'), { recursive: true });
      await writeFile(join(dir, name, '/home/ben/docs/other.txt'), 'unchanged');
    } else {
      await run('cp', ['-al', join(dir, previous), join(dir, name)]);
    }
    if (i % 20 === 0) {
      await rm(join(dir, name, file), { force: true });
      await writeFile(join(dir, name, file), `version ${i / 20}`.padEnd(20 + i / 20, '.'));
    }
    await writeManifest(dir, name, at);
    previous = name;
  }
  const expected = Math.ceil(count / 20);

  const times: number[] = [];
  let connections = 0;
  for (let r = 0; r < reps; r++) {
    const before = await ssh.connectionCount();
    const t = await runTimed(
      process.execPath,
      [CLI, 'versions', file, '--json', ...cliDest(dir, target)],
      { env, keepStdout: true },
    );
    connections = (await ssh.connectionCount()) - before;
    if (t.code !== 0) throw new Error(`snaptray versions exited ${String(t.code)}: ${t.stderr}`);
    const versions = (JSON.parse(t.stdout) as { versions: unknown[] }).versions.length;
    if (versions !== expected) throw new Error(`${versions} versions listed, ${expected} made`);
    times.push(t.ms);
  }

  // The engine alone, through one open connection, with the programs it starts counted.
  let calls = 0;
  const counting: Spawn = (req) => {
    if (req.file === 'rsync') calls++;
    return spawnProcess(req);
  };
  const runtime = join(root, 'versions-run');
  const dest: Destination = { kind: 'ssh', user: ssh.user, host: '127.0.0.1', path: dir };
  const opened = await openDestination(
    {
      spawn: counting,
      runtimeDir: runtime,
      userKnownHosts: [],
      appKnownHosts: join(runtime, 'known_hosts'),
      defaultSshConfig: null,
    },
    dest,
    {
      port: ssh.port,
      identityFile: ssh.clientKey,
      knownHostsFile: ssh.knownHosts,
      configFile: ssh.sshConfig,
      rsyncPath: null,
    },
  );
  if (!opened.ok) throw new Error(opened.failure.message);
  let engineMs = 0;
  let listingCalls = 0;
  let rsyncCalls = 0;
  try {
    calls = 0;
    const listing = await listDestination(opened.value.ctx);
    if (!listing.ok) throw new Error(listing.failure.message);
    listingCalls = calls;
    const snapshots = completeSnapshots(snapshotsOf(PREFIX, listing.value).snapshots);
    calls = 0;
    const t0 = performance.now();
    const found = await fileVersions(opened.value.ctx, snapshots, file, { prefix: PREFIX });
    engineMs = performance.now() - t0;
    rsyncCalls = calls;
    if (!found.ok || found.value.versions.length !== expected) {
      throw new Error(`the engine found ${found.ok ? found.value.versions.length : 'no'} versions`);
    }
  } finally {
    await opened.value.close();
  }
  return {
    snapshots: count,
    versions: expected,
    connections,
    rsyncCalls,
    listingCalls,
    cliMs: median(times),
    engineMs,
  };
}

export interface RestoreFigures {
  files: number;
  snaptrayMs: number;
  rsyncMs: number;
  ratio: number;
}

/** `snaptray restore FOLDER --to` against `rsync -a` pulling the same folder, alternating. */
export async function timeRestore(
  root: string,
  folder: string,
  env: NodeJS.ProcessEnv,
  ssh: SshTarget | null,
  reps: number,
  where: string,
): Promise<RestoreFigures> {
  const dir = join(root, `restore-dest-${where}`);
  await markDestination(dir);
  const name = snapshotName(PREFIX, new Date(Date.now() - 60_000));
  await linkSnapshot(folder, dir, name, new Date(Date.now() - 60_000));
  const expected = (await inspectCopy(folder)).files;
  const ours: number[] = [];
  const theirs: number[] = [];
  const contenders = [
    {
      name: 'snaptray',
      async take(out: string) {
        const t = await runTimed(
          process.execPath,
          [CLI, 'restore', folder, '--to', out, '--json', ...cliDest(dir, ssh)],
          { env },
        );
        if (t.code !== 0) throw new Error(`snaptray restore exited ${String(t.code)}: ${t.stderr}`);
        ours.push(t.ms);
      },
    },
    {
      name: 'rsync',
      async take(out: string) {
        const from = join(dir, name, folder);
        const t = await runTimed('rsync', [
          '-a',
          ...(ssh ? ['-e', ssh.rsyncShell, `${ssh.user}@127.0.0.1:${from}`] : [from]),
          `${out}/`,
        ]);
        if (t.code !== 0) throw new Error(`rsync exited ${String(t.code)}: ${t.stderr}`);
        theirs.push(t.ms);
      },
    },
  ];
  for (let rep = 0; rep < reps; rep++) {
    for (const c of rotateOrder(contenders, rep)) {
      const out = join(root, `restored-${where}-${c.name}-${rep}`);
      await mkdir(out, { recursive: true });
      await runChecked('sync', []);
      await c.take(out);
      const copy = await inspectCopy(join(out, folder.split('/').at(-1) ?? ''));
      if (copy.files !== expected) {
        throw new Error(`${c.name} restored ${copy.files} files of ${expected}`);
      }
      await rm(out, { recursive: true, force: true });
    }
  }
  const snaptrayMs = median(ours);
  const rsyncMs = median(theirs);
  return { files: expected, snaptrayMs, rsyncMs, ratio: snaptrayMs / rsyncMs };
}

export interface DiffFigures {
  files: number;
  added: number;
  changed: number;
  deleted: number;
  ms: number;
  /** The snaptray process's peak resident memory. */
  peakMiB: number;
}

/** Two snapshots of `source`: the second with 1% changed, 0.5% deleted and 0.5% new files. */
export async function timeDiff(
  root: string,
  source: string,
  shape: TreeShape,
  env: NodeJS.ProcessEnv,
  ssh: SshTarget | null,
  reps: number,
  where: string,
): Promise<DiffFigures> {
  const dir = join(root, `diff-dest-${where}`);
  await markDestination(dir);
  const older = snapshotName(PREFIX, new Date(Date.now() - 7_200_000));
  const newer = snapshotName(PREFIX, new Date(Date.now() - 3_600_000));
  await linkSnapshot(source, dir, older, new Date(Date.now() - 7_200_000));
  await run('cp', ['-al', join(dir, older), join(dir, newer)]);
  await writeManifest(dir, newer, new Date(Date.now() - 3_600_000));
  const names = treeFileNames(shape);
  const step = Math.min(100, names.length);
  let changed = 0;
  let deleted = 0;
  let added = 0;
  for (let i = 3; i < names.length; i += step) {
    const path = join(dir, newer, source, names[i] ?? '');
    const content = await readFile(path);
    await rm(path);
    await writeFile(path, Buffer.concat([content, Buffer.from('changed\n')]));
    changed++;
  }
  for (let i = 5; i < names.length; i += 2 * step) {
    await rm(join(dir, newer, source, names[i] ?? ''));
    deleted++;
    await writeFile(join(dir, newer, source, `${names[i] ?? ''}.new`), 'new file');
    added++;
  }
  const hook =
    'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxrss="+process.resourceUsage().maxRSS+"\\n"))';
  const times: number[] = [];
  let peakKiB = 0;
  for (let r = 0; r < reps; r++) {
    const t = await runTimed(
      process.execPath,
      ['--import', hook, CLI, 'diff', older, newer, '--json', ...cliDest(dir, ssh)],
      { env, keepStdout: true },
    );
    if (t.code !== 0) throw new Error(`snaptray diff exited ${String(t.code)}: ${t.stderr}`);
    const out = JSON.parse(t.stdout) as {
      added: unknown[];
      changed: unknown[];
      deleted: unknown[];
    };
    const counts = [out.added.length, out.changed.length, out.deleted.length];
    if (counts.join() !== [added, changed, deleted].join()) {
      throw new Error(`diff found ${counts.join('/')}, made ${added}/${changed}/${deleted}`);
    }
    times.push(t.ms);
    peakKiB = Math.max(peakKiB, Number(/maxrss=(\d+)/.exec(t.stderr)?.[1] ?? 0));
  }
  return {
    files: names.length,
    added,
    changed,
    deleted,
    ms: median(times),
    peakMiB: peakKiB / 1024,
  };
}
