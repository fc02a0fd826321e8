/**
 * This account's Snaptray identity on this machine: a random id made once and kept in the config
 * folder, so that a prefix on a shared destination belongs to one account and profile, whatever
 * the machine is called. /etc/machine-id will not do as the id: it is confidential, missing in
 * containers, and the same for root and every user.
 *
 * The home folder travels, though: a backup of it restored onto a new machine, or a copy of the old
 * disk, brings this file along, and two machines with one identity would link against and prune
 * each other's snapshots. So the file also records what the id was made for: the user id and a
 * keyed hash of the machine id (this-machine.ts). An identity made for another machine or account
 * is never used as is. The account that owns the file gets an identity of its own for this
 * machine, derived from the one that came along (two first runs at once derive the same one); the
 * arrived identity stays in the file under `elsewhere`, so that a prefix it claims is refused in
 * words (destination/ownership.ts) and is taken over only by `snaptray adopt`. A file from before
 * bindings is bound on first use. Another account's file (root with a user's HOME kept by sudo) is
 * neither used nor changed.
 *
 * PERSISTED FORMAT: `$XDG_CONFIG_HOME/Snaptray/identity.json`, mode 0600. Versions before bindings
 * read format, id and createdAt and ignore the other fields: add optional fields only.
 *   {"format": 1, "id": "<32 hex digits>", "createdAt": "2026-11-29T10:00:00.000Z",
 *    "madeFor": {"uid": 1000, "by": "machine-id", "machine": "<64 hex digits>", "host": "univac"},
 *    "elsewhere": [{"id": …, "createdAt": …, "madeFor": {…}}]}
 * `by` is "machine-id" (`machine` is HMAC-SHA256 of the machine id) or "host-name" (of the host
 * name, where no machine id lasts); `host` is the host name then, for people to read. The top-level
 * id is the one bound last, so an older version on this machine acts as this machine's owner too.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { accountName, rootWouldIntrude, SUDO_ADVICE } from '../state/paths.js';
import { thisMachine, type BindingKind, type ThisMachine } from './this-machine.js';

export const IDENTITY_FILE = 'identity.json';

const idSchema = z.string().regex(/^[0-9a-f]{32}$/);

const madeForSchema = z.object({
  uid: z.number().int().nonnegative(),
  // A kind this version does not know never matches: a newer binding only makes it more careful.
  by: z.string(),
  machine: z.string(),
  host: z.string().optional(),
});

const entrySchema = z.object({ id: idSchema, createdAt: z.string(), madeFor: madeForSchema });

const identitySchema = z.object({
  format: z.literal(1),
  id: idSchema,
  createdAt: z.string(),
  madeFor: madeForSchema.optional(),
  elsewhere: z.array(entrySchema).optional(),
});

export type MadeFor = z.infer<typeof madeForSchema>;
export type IdentityFile = z.infer<typeof identitySchema>;
interface Entry {
  id: string;
  createdAt: string;
  madeFor?: MadeFor | undefined;
}

/** An identity of this account's file that was made for another machine or account. */
export interface ElsewhereIdentity {
  id: string;
  /** The host name it was made on, when the file says. */
  host: string | null;
  uid: number;
}

export type IdentityResult =
  | {
      ok: true;
      id: string;
      /** What the identity in use is bound to. */
      boundBy: BindingKind;
      elsewhere: ElsewhereIdentity[];
      /** For `check`: how the identity is bound when only by the host name. */
      note: string | null;
      /** Said once, by the run that made this machine an identity of its own. */
      news: string | null;
    }
  | { ok: false; message: string };

/** What to do with the file as read, decided without touching anything. */
export type IdentityPlan =
  | {
      kind: 'use';
      entry: Entry & { madeFor: MadeFor };
      elsewhere: ElsewhereIdentity[];
      /** The file to write first, when the binding changes. */
      write: IdentityFile | null;
      /** An identity of its own was made for this machine (the file came from elsewhere). */
      split: boolean;
    }
  /** The file belongs to another account and holds no identity for this one. */
  | { kind: 'foreign' };

/**
 * Reads the identity bound to this account on this machine, binding or making it first when the
 * account owns the file. A damaged file is an error, never replaced.
 */
export async function loadIdentity(
  configDir: string,
  now: Date,
  machine?: ThisMachine,
): Promise<IdentityResult> {
  const here = machine ?? (await thisMachine());
  const path = join(configDir, IDENTITY_FILE);
  let existing = await readIdentity(path);
  if (existing.kind === 'missing') {
    const refused = await makeIdentity(path, now, here);
    if (refused !== null) return { ok: false, message: refused };
    existing = await readIdentity(path);
  }
  if (existing.kind === 'missing') return { ok: false, message: `${path} could not be created.` };
  if (existing.kind === 'error') return { ok: false, message: existing.message };
  const plan = planIdentity(existing.file, existing.owner, here, now);
  if (plan.kind !== 'use') {
    return { ok: false, message: await foreignMessage(path, existing.owner, here.uid) };
  }
  if (plan.write !== null) await replaceIdentity(path, plan.write);
  return {
    ok: true,
    id: plan.entry.id,
    boundBy: plan.entry.madeFor.by === 'machine-id' ? 'machine-id' : 'host-name',
    elsewhere: plan.elsewhere,
    note: bindingNote(plan.entry.madeFor, here),
    news: plan.split ? splitNews(plan.elsewhere[0]!) : null,
  };
}

/**
 * The identity to use from a file owned by `owner`: the one made for this account on this machine
 * (by machine id before host name), else the old file bound on first use, else one of its own for
 * this machine. Only the owner of the file changes it.
 */
export function planIdentity(
  file: IdentityFile,
  owner: number,
  here: ThisMachine,
  now: Date,
): IdentityPlan {
  const entries: Entry[] = [
    { id: file.id, createdAt: file.createdAt, madeFor: file.madeFor },
    ...(file.elsewhere ?? []),
  ];
  const mine = owner === here.uid;
  const byId = boundHere(entries, here, 'machine-id');
  const at = byId === -1 ? boundHere(entries, here, 'host-name') : byId;
  const found = entries[at];
  if (found?.madeFor !== undefined) {
    const rest = entries.filter((_, i) => i !== at);
    const lasting = bindingHere(here);
    // Bound to the host name while no machine id lasted; one does now, so bind to that instead.
    const rebind = found.madeFor.by === 'host-name' && lasting.by === 'machine-id' && mine;
    const entry = { ...found, madeFor: rebind ? lasting : found.madeFor };
    return {
      kind: 'use',
      entry,
      elsewhere: rest.flatMap(describeElsewhere),
      write: rebind ? fileOf(entry, rest) : null,
      split: false,
    };
  }
  if (!mine) return { kind: 'foreign' };
  const [top, ...rest] = entries as [Entry, ...Entry[]];
  if (top.madeFor === undefined) {
    // Made before bindings: it has been this account's all along, as far as anyone can tell.
    const entry = { ...top, madeFor: bindingHere(here) };
    return {
      kind: 'use',
      entry,
      elsewhere: rest.flatMap(describeElsewhere),
      write: fileOf(entry, rest),
      split: false,
    };
  }
  const madeFor = bindingHere(here);
  const entry = { id: derivedId(top.id, madeFor), createdAt: now.toISOString(), madeFor };
  return {
    kind: 'use',
    entry,
    elsewhere: entries.flatMap(describeElsewhere),
    write: fileOf(entry, entries),
    split: true,
  };
}

/** Where the first entry made for this account here, bound by `kind`, stands (-1: nowhere). */
function boundHere(entries: readonly Entry[], here: ThisMachine, kind: BindingKind): number {
  return entries.findIndex((e) => e.madeFor !== undefined && madeHere(e.madeFor, here) === kind);
}

function fileOf(top: Entry & { madeFor: MadeFor }, elsewhere: readonly Entry[]): IdentityFile {
  const kept = elsewhere.flatMap((e) =>
    e.madeFor ? [{ id: e.id, createdAt: e.createdAt, madeFor: e.madeFor }] : [],
  );
  return {
    format: 1,
    id: top.id,
    createdAt: top.createdAt,
    madeFor: top.madeFor,
    ...(kept.length > 0 ? { elsewhere: kept } : {}),
  };
}

function describeElsewhere(e: Entry): ElsewhereIdentity[] {
  return e.madeFor ? [{ id: e.id, host: e.madeFor.host ?? null, uid: e.madeFor.uid }] : [];
}

/** Whether a binding names this account on this machine, and by what. */
function madeHere(made: MadeFor, here: ThisMachine): BindingKind | null {
  if (made.uid !== here.uid) return null;
  if (made.by === 'machine-id') {
    return here.machineId !== null && here.machineId.hash === made.machine ? 'machine-id' : null;
  }
  if (made.by === 'host-name') return made.machine === here.hostHash ? 'host-name' : null;
  return null;
}

/** What a new binding records: the machine id when one lasts, else the host name. */
function bindingHere(here: ThisMachine): MadeFor {
  if (here.machineId !== null && here.noLastingId === null) {
    return { uid: here.uid, by: 'machine-id', machine: here.machineId.hash, host: here.host };
  }
  return { uid: here.uid, by: 'host-name', machine: here.hostHash, host: here.host };
}

/** This machine's own identity, derived from the one that came along: every first run agrees. */
function derivedId(from: string, madeFor: MadeFor): string {
  return createHmac('sha256', 'snaptray identity v1')
    .update(`own:${from}:${madeFor.uid}:${madeFor.by}:${madeFor.machine}`)
    .digest('hex')
    .slice(0, 32);
}

function bindingNote(made: MadeFor, here: ThisMachine): string | null {
  if (made.by === 'machine-id') return null;
  const why = here.noLastingId ?? 'it was made before this machine had a lasting machine id';
  return (
    `This account's identity is bound to the host name "${here.host}" instead of ` +
    `the machine id, because ${why}. Renaming this machine will make Snaptray take this home ` +
    'folder for a copy from another machine ("snaptray adopt" then takes its snapshots over).'
  );
}

function splitNews(from: ElsewhereIdentity): string {
  const where = from.host !== null ? `on "${from.host}"` : 'on another machine';
  return (
    `This home folder's Snaptray identity was made ${where} (or for another account), so this ` +
    'looks like a home copied or restored from there. This machine now has an identity of its ' +
    'own: it never links against or deletes that machine’s snapshots, and backs up under a ' +
    'prefix of its own ("snaptray adopt" takes a prefix of that machine over).'
  );
}

async function foreignMessage(path: string, owner: number, uid: number): Promise<string> {
  const who = await accountName(owner);
  const them = `user ${who ?? `id ${owner}`}`;
  const me = uid === 0 ? 'root' : `user id ${uid}`;
  return (
    `${path} belongs to ${them}, but Snaptray runs as ${me}: it is that account's identity, ` +
    'which Snaptray will neither use nor change. ' +
    (uid === 0 ? SUDO_ADVICE : 'Set HOME (or XDG_CONFIG_HOME) to your own folders.')
  );
}

type Read =
  | { kind: 'missing' }
  | { kind: 'error'; message: string }
  | { kind: 'ok'; file: IdentityFile; owner: number };

async function readIdentity(path: string): Promise<Read> {
  let text: string;
  let owner: number;
  try {
    owner = (await stat(path)).uid;
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'error', message: `${path} cannot be read: ${(error as Error).message}` };
  }
  try {
    const parsed = identitySchema.safeParse(JSON.parse(text));
    if (parsed.success) return { kind: 'ok', file: parsed.data, owner };
  } catch {
    // reported below
  }
  return {
    kind: 'error',
    message:
      `${path} is damaged. It names this account as the owner of its snapshots on the ` +
      'destination: restore it from a backup, or delete it and run "snaptray adopt" to take your ' +
      'prefix over with a new identity.',
  };
}

/**
 * Makes a first identity, bound here, unless another run just did; never as root in another
 * account's folder (then it says why).
 */
async function makeIdentity(path: string, now: Date, here: ThisMachine): Promise<string | null> {
  const intrudes = await rootWouldIntrude(path, here.uid);
  if (intrudes !== null) return intrudes;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const body: IdentityFile = {
    format: 1,
    id: randomBytes(16).toString('hex'),
    createdAt: now.toISOString(),
    madeFor: bindingHere(here),
  };
  const temporary = temporaryName(path);
  await writeFile(temporary, JSON.stringify(body) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    // link() fails when the file exists: of two first runs at once (tray and cron), one wins.
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return null;
}

/** Replaces the file in one step; every writer of a given file writes the same binding. */
async function replaceIdentity(path: string, body: IdentityFile): Promise<void> {
  const temporary = temporaryName(path);
  await writeFile(temporary, JSON.stringify(body) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Beside the file, named so that backups leave it out (backup/own-files.ts). */
function temporaryName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}
