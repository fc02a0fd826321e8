/**
 * A destination opened for engine tests as the CLI opens one (openDestination): a local folder,
 * or a folder on a test server (sshd or the dropbear router) through one ssh master connection.
 * Every rsync and ssh the engine starts goes through `spawned`, which counts them.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Destination } from '../../core/destination/address.js';
import type { DestinationContext } from '../../core/destination/ops.js';
import { openDestination } from '../../core/destination/session.js';
import { spawnProcess, type Spawn, type SpawnRequest } from '../../core/process.js';
import type { Sshd } from './sshd.js';

export interface TestDestination {
  ctx: DestinationContext;
  /** Programs started since the destination was opened (the master connection not counted). */
  spawned: SpawnRequest[];
  close(): Promise<void>;
}

export interface ServerAccess {
  server: Sshd;
  /** The folder on the server (`/` for an rrsync key). */
  path: string;
  /** Another key of the server's (addClientKey); default its own client key. */
  key?: string;
  rsyncPath?: string;
}

export async function openTestDestination(where: string | ServerAccess): Promise<TestDestination> {
  const runtimeDir = await mkdtemp(join(tmpdir(), 'st-rt-'));
  const spawned: SpawnRequest[] = [];
  let counting = false;
  const spawn: Spawn = (req) => {
    if (counting) spawned.push(req);
    return spawnProcess(req);
  };
  const dest: Destination =
    typeof where === 'string'
      ? { kind: 'local', path: where }
      : { kind: 'ssh', user: where.server.user, host: '127.0.0.1', path: where.path };
  const server = typeof where === 'string' ? null : where;
  const opened = await openDestination(
    {
      spawn,
      runtimeDir,
      userKnownHosts: [],
      appKnownHosts: join(runtimeDir, 'known_hosts'),
      defaultSshConfig: null,
    },
    dest,
    {
      port: server?.server.port ?? null,
      identityFile: server ? (server.key ?? server.server.clientKey) : null,
      knownHostsFile: server?.server.knownHosts ?? null,
      configFile: server?.server.sshConfig ?? null,
      rsyncPath: server?.rsyncPath ?? null,
    },
  );
  if (!opened.ok) throw new Error(`opening ${JSON.stringify(dest)}: ${opened.failure.message}`);
  counting = true;
  return { ctx: opened.value.ctx, spawned, close: () => opened.value.close() };
}

/** How many rsync processes were started among `spawned`. */
export function rsyncCalls(spawned: readonly SpawnRequest[]): number {
  return spawned.filter((r) => r.file === 'rsync').length;
}
