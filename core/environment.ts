/** Where Snaptray keeps its files on this machine, from the process environment. */
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SessionEnvironment } from './destination/session.js';
import type { BackupEnvironment } from './backup/run.js';
import type { Spawn } from './process.js';
import { configDir, profileStateDir, runtimeDir, stateRoot } from './state/paths.js';
import { appVersion } from './version.js';

export interface Places {
  /** Snaptray's settings folder: config.json, known_hosts, identity.json. */
  configDir: string;
  configFile: string;
  appKnownHosts: string;
  stateRoot: string;
  runtimeDir: string;
  /** ssh reads the account's real home (the passwd entry), not $HOME. */
  userKnownHosts: string[];
  defaultSshConfig: string | null;
}

export function places(env: NodeJS.ProcessEnv): Places {
  const home = env.HOME && env.HOME.startsWith('/') ? env.HOME : userInfo().homedir;
  const sshHome = userInfo().homedir;
  const config = configDir(env, home);
  const sshConfig = join(sshHome, '.ssh', 'config');
  return {
    configDir: config,
    configFile: join(config, 'config.json'),
    appKnownHosts: join(config, 'known_hosts'),
    stateRoot: stateRoot(env, home),
    runtimeDir: runtimeDir(env, userInfo().uid),
    userKnownHosts: ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'],
    defaultSshConfig: existsSync(sshConfig) ? sshConfig : null,
  };
}

/** What opening a destination needs: the places above and the process edge. */
export function sessionEnvironment(p: Places, spawn: Spawn): SessionEnvironment {
  return {
    spawn,
    runtimeDir: p.runtimeDir,
    userKnownHosts: p.userKnownHosts,
    appKnownHosts: p.appKnownHosts,
    defaultSshConfig: p.defaultSshConfig,
  };
}

export function backupEnvironment(
  p: Places,
  profileName: string,
  spawn: Spawn,
  source: 'cli' | 'tray',
): BackupEnvironment {
  return {
    ...sessionEnvironment(p, spawn),
    now: () => new Date(),
    hostname: hostname(),
    user: userInfo().username,
    uid: process.getuid?.() ?? 1000,
    configDir: p.configDir,
    appVersion: appVersion(),
    stateDir: profileStateDir(p.stateRoot, profileName),
    stateRoot: p.stateRoot,
    source,
  };
}
