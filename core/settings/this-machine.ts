/**
 * What an identity is bound to (settings/identity.ts): this account's user id and this machine,
 * known by a keyed hash of its machine id (systemd's `/etc/machine-id`, D-Bus's
 * `/var/lib/dbus/machine-id` where that is missing). The machine id itself is confidential and is
 * never stored; its HMAC with an app-specific key is what systemd recommends showing instead.
 *
 * Live systems and minimal containers have no lasting machine id: none at all, or a new one at
 * every start (written since this boot began). There the host name stands in, and `check` says so.
 */
import { createHmac } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

export const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'] as const;

/** The HMAC key: changing it would unbind every identity. PERSISTED through the hashes. */
const KEY = 'snaptray identity v1';

export type BindingKind = 'machine-id' | 'host-name';

export interface MachineId {
  /** HMAC-SHA256 of the id, hex. */
  hash: string;
  /** Written since this boot began: perhaps a new one at every start. */
  newThisBoot: boolean;
}

export interface ThisMachine {
  uid: number;
  host: string;
  /** HMAC-SHA256 of the host name, hex. */
  hostHash: string;
  /** The first valid machine id found, or null. */
  machineId: MachineId | null;
  /** Why new identities are bound to the host name, in words; null when a lasting id is there. */
  noLastingId: string | null;
}

export function keyedHash(kind: BindingKind, value: string): string {
  return createHmac('sha256', KEY)
    .update(kind === 'machine-id' ? value : `host-name:${value}`)
    .digest('hex');
}

export interface MachineSources {
  files?: readonly string[];
  host?: string;
  uid?: number;
  now?: Date;
  /** When this boot began; null when unknown (then no id counts as new). */
  bootTime?: Date | null;
}

/** This account and machine as identities are bound to them. */
export async function thisMachine(sources: MachineSources = {}): Promise<ThisMachine> {
  const files = sources.files ?? MACHINE_ID_FILES;
  const host = sources.host ?? hostname();
  const now = sources.now ?? new Date();
  const bootTime = sources.bootTime === undefined ? await readBootTime() : sources.bootTime;
  const problems: string[] = [];
  let first: MachineId | null = null;
  for (const file of files) {
    const found = await readMachineId(file, now, bootTime);
    if (typeof found === 'string') {
      problems.push(`${file} ${found}`);
      continue;
    }
    first ??= found;
    if (!found.newThisBoot) {
      return {
        uid: sources.uid ?? processUid(),
        host,
        hostHash: keyedHash('host-name', host),
        machineId: found,
        noLastingId: null,
      };
    }
    problems.push(
      `${file} was written since this machine started (a live system or a container makes a new one at every start)`,
    );
  }
  return {
    uid: sources.uid ?? processUid(),
    host,
    hostHash: keyedHash('host-name', host),
    machineId: first,
    noLastingId: problems.length > 0 ? problems.join('; ') : 'no machine id file is known',
  };
}

function processUid(): number {
  return process.getuid?.() ?? 0;
}

/** The id in `file` (hashed), or what is wrong with the file in words. */
async function readMachineId(
  file: string,
  now: Date,
  bootTime: Date | null,
): Promise<MachineId | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'is missing'
      : `cannot be read (${(error as Error).message})`;
  }
  const id = text.trim();
  // systemd writes "uninitialized" until the first boot completes.
  if (!/^[0-9a-f]{32}$/.test(id) || /^0+$/.test(id)) return 'holds no machine id';
  const written = (await stat(file)).mtime;
  const newThisBoot =
    bootTime !== null &&
    written.getTime() >= bootTime.getTime() &&
    written.getTime() <= now.getTime();
  return { hash: keyedHash('machine-id', id), newThisBoot };
}

/** The kernel's boot time (`btime` in /proc/stat), or null where it cannot be read. */
async function readBootTime(): Promise<Date | null> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '');
  const match = /^btime (\d+)$/m.exec(text);
  return match ? new Date(Number(match[1]) * 1000) : null;
}
