/**
 * Opens a destination for one command: for ssh, a per-run config and one master connection that
 * every rsync call of the command reuses; for a local folder, nothing to open.
 */
import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Destination } from './address.js';
import type { DestinationContext } from './ops.js';
import { localArgStyle, MODERN_STYLE } from './remote-args.js';
import { makeRunFolder, sweepDeadRunFolders } from './run-folder.js';
import { failure, type Failure } from '../errors.js';
import type { Spawn } from '../process.js';
import type { Profile } from '../settings/schema.js';
import { closeMaster, openMaster, prepareSsh, remoteUser, SshConfigError } from '../ssh/master.js';
import { trustFile } from '../settings/trusted-file.js';
import { runtimeFolder } from '../state/paths.js';

/** `~/x` as ssh reads it: the account's real home, not $HOME. */
function expandHome(path: string): string {
  return path.startsWith('~/') ? join(userInfo().homedir, path.slice(2)) : path;
}

export interface SessionEnvironment {
  spawn: Spawn;
  runtimeDir: string;
  userKnownHosts: string[];
  appKnownHosts: string;
  defaultSshConfig: string | null;
}

export interface OpenDestination {
  ctx: DestinationContext;
  /** The account the destination is written as: ssh's login user, or this process's user. */
  account(): Promise<string | null>;
  /** Said once for the run: the usual folder for ssh's files could not be used (runtimeFolder). */
  warnings: string[];
  close(): Promise<void>;
}

export async function openDestination(
  env: SessionEnvironment,
  dest: Destination,
  ssh: Profile['ssh'],
  signal?: AbortSignal,
): Promise<{ ok: true; value: OpenDestination } | { ok: false; failure: Failure }> {
  const folder = await runtimeFolder(env.runtimeDir);
  const warnings = folder.warning === null ? [] : [folder.warning];
  // A run killed with SIGKILL left its master lingering and its files: gone before this one starts.
  if (!folder.ownedByRun) await sweepDeadRunFolders(folder.path, env.spawn);
  const runDir = await makeRunFolder(folder.path);
  const removeRunDir = () =>
    rm(folder.ownedByRun ? folder.path : runDir, { recursive: true, force: true });
  const ctx: DestinationContext = {
    dest,
    spawn: env.spawn,
    rsyncShellArgs: [],
    argStyle: MODERN_STYLE,
    scratch: join(runDir, 's'),
    signal,
  };
  if (dest.kind === 'local') {
    const account = async () => userInfo().username;
    return { ok: true, value: { ctx, account, warnings, close: removeRunDir } };
  }
  // Its ProxyCommand or LocalCommand would run as this account: only a file of its own.
  const sshConfig = ssh.configFile ?? env.defaultSshConfig;
  if (sshConfig !== null) {
    const trust = trustFile(expandHome(sshConfig), 'the ssh config file');
    if (!trust.ok) {
      await removeRunDir();
      return { ok: false, failure: failure('settings', trust.message) };
    }
  }
  let session;
  try {
    session = await prepareSsh(
      dest,
      {
        port: ssh.port,
        identityFile: ssh.identityFile,
        knownHostsFiles: [env.appKnownHosts, ...(ssh.knownHostsFile ? [ssh.knownHostsFile] : [])],
        includeConfig: sshConfig,
        connectTimeoutSeconds: 15,
      },
      runDir,
      env.userKnownHosts,
    );
  } catch (e) {
    await removeRunDir();
    if (e instanceof SshConfigError) return { ok: false, failure: failure('settings', e.message) };
    throw e;
  }
  // rsync hands remote paths to the far side as the local version and its environment say.
  const argStyle = localArgStyle(env.spawn, process.env);
  const master = await openMaster(env.spawn, session, signal);
  ctx.argStyle = await argStyle;
  if (!master.ok) {
    await removeRunDir();
    return { ok: false, failure: master.failure };
  }
  ctx.rsyncShellArgs = [
    '-e',
    session.rsyncShell,
    ...(ssh.rsyncPath !== null ? [`--rsync-path=${ssh.rsyncPath}`] : []),
  ];
  const opened = session;
  return {
    ok: true,
    value: {
      ctx,
      account: () => remoteUser(env.spawn, opened),
      warnings,
      close: async () => {
        await closeMaster(env.spawn, opened).catch(() => undefined);
        await removeRunDir();
      },
    },
  };
}
