/**
 * The identity file as it is on disk: made, bound, split off for a home copied from elsewhere,
 * refused for another account. The machine is injected (its uid, host name and machine id hash);
 * the file system is real.
 */
import { createHmac } from 'node:crypto';
import { chown, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadIdentity, planIdentity, type IdentityFile } from '../../../core/settings/identity.js';
import { keyedHash, type ThisMachine } from '../../../core/settings/this-machine.js';
import { makeTempDir } from '../../support/tree.js';

const NOW = new Date('2026-11-29T10:00:00.000Z');
const LATER = new Date('2026-12-01T08:00:00.000Z');
const UID = process.getuid?.() ?? 0;
const NOBODY = 65534;
const ID_HERE = '0123456789abcdef0123456789abcdef';
const ID_THERE = 'fedcba9876543210fedcba9876543210';
const OLD_ID = 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb';

/** This account on a machine called `host` whose lasting machine id is `id` (null: none). */
function machine(host: string, id: string | null, uid = UID): ThisMachine {
  return {
    uid,
    host,
    hostHash: keyedHash('host-name', host),
    machineId: id === null ? null : { hash: keyedHash('machine-id', id), newThisBoot: false },
    noLastingId: id === null ? '/etc/machine-id is missing' : null,
  };
}

const HERE = machine('univac', ID_HERE);
const THERE = machine('oldlaptop', ID_THERE);

/** How Snaptray 0.1 reads the file: it must keep reading every file this version writes. */
const olderSchema = z.object({
  format: z.literal(1),
  id: z.string().regex(/^[0-9a-f]{32}$/),
  createdAt: z.string(),
});

let dir: string;
let path: string;

beforeEach(async () => {
  dir = join(await makeTempDir('st-identity-'), 'Snaptray');
  path = join(dir, 'identity.json');
});

async function writeFileAs(body: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path, JSON.stringify(body) + '\n', { mode: 0o600 });
}

/** The file as written: one line of JSON. */
async function readBack(): Promise<IdentityFile> {
  const text = await readFile(path, 'utf8');
  expect(text).toMatch(/^\{[^\n]*\}\n$/);
  return JSON.parse(text) as IdentityFile;
}

/** The file's bytes, change time and owner: what "not touched" means. */
async function fingerprint(file = path): Promise<{ text: string; ctimeNs: bigint; uid: number }> {
  const info = await stat(file, { bigint: true });
  return {
    text: await readFile(file, 'utf8'),
    ctimeNs: info.ctimeNs,
    uid: Number(info.uid),
  };
}

function madeFor(m: ThisMachine, by: 'machine-id' | 'host-name' = 'machine-id') {
  return {
    uid: m.uid,
    by,
    machine: by === 'machine-id' ? m.machineId!.hash : m.hostHash,
    host: m.host,
  };
}

describe('a first identity', () => {
  it('is made on first use, bound to this account and machine, and read back unchanged', async () => {
    const first = await loadIdentity(dir, NOW, HERE);
    expect(first).toEqual({
      ok: true,
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      boundBy: 'machine-id',
      elsewhere: [],
      note: null,
      news: null,
    });
    const id = first.ok ? first.id : '';
    expect(await readBack()).toEqual({
      format: 1,
      id,
      createdAt: NOW.toISOString(),
      madeFor: madeFor(HERE),
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const before = await fingerprint();
    expect(await loadIdentity(dir, LATER, HERE)).toEqual(first);
    expect(await fingerprint()).toEqual(before);
    expect(await readdir(dir)).toEqual(['identity.json']);
  });

  it('is one identity when two first runs start at once', async () => {
    const [a, b] = await Promise.all([loadIdentity(dir, NOW, HERE), loadIdentity(dir, NOW, HERE)]);
    expect(a.ok && b.ok && a.id === b.id).toBe(true);
    expect(await readdir(dir)).toEqual(['identity.json']);
  });

  it('never differs between two runs of this account on one machine, whatever the clock says', async () => {
    const first = await loadIdentity(dir, NOW, HERE);
    const again = await loadIdentity(dir, new Date('1999-01-01T00:00:00Z'), HERE);
    expect(again).toEqual(first);
  });
});

describe('a file from before bindings', () => {
  it('is bound on first use by the account that owns it, keeping its id', async () => {
    await writeFileAs({ format: 1, id: OLD_ID, createdAt: '2025-01-01T00:00:00.000Z' });
    expect(await loadIdentity(dir, NOW, HERE)).toEqual({
      ok: true,
      id: OLD_ID,
      boundBy: 'machine-id',
      elsewhere: [],
      note: null,
      news: null,
    });
    expect(await readBack()).toEqual({
      format: 1,
      id: OLD_ID,
      createdAt: '2025-01-01T00:00:00.000Z',
      madeFor: madeFor(HERE),
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // From then on, another machine reading a copy of it is told apart.
    const there = await loadIdentity(dir, NOW, THERE);
    expect(there.ok && there.id).not.toBe(OLD_ID);
  });
});

describe('a file made for another machine (a home copied or restored here)', () => {
  beforeEach(async () => {
    await writeFileAs({
      format: 1,
      id: OLD_ID,
      createdAt: '2025-01-01T00:00:00.000Z',
      madeFor: madeFor(THERE),
    });
  });

  it('is not used: this machine gets an identity of its own and the old one is kept', async () => {
    const result = await loadIdentity(dir, NOW, HERE);
    expect(result).toMatchObject({
      ok: true,
      boundBy: 'machine-id',
      elsewhere: [{ id: OLD_ID, host: 'oldlaptop', uid: UID }],
      note: null,
    });
    const id = result.ok ? result.id : '';
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(id).not.toBe(OLD_ID);
    expect(result.ok && result.news).toBe(
      'This home folder\'s Snaptray identity was made on "oldlaptop" (or for another account), so ' +
        'this looks like a home copied or restored from there. This machine now has an identity of ' +
        'its own: it never links against or deletes that machine’s snapshots, and backs up under ' +
        'a prefix of its own ("snaptray adopt" takes a prefix of that machine over).',
    );
    // Derived from the identity that came along and this machine, so that every copy agrees.
    expect(id).toBe(
      createHmac('sha256', 'snaptray identity v1')
        .update(`own:${OLD_ID}:${UID}:machine-id:${keyedHash('machine-id', ID_HERE)}`)
        .digest('hex')
        .slice(0, 32),
    );
    expect(await readBack()).toEqual({
      format: 1,
      id,
      createdAt: NOW.toISOString(),
      madeFor: madeFor(HERE),
      elsewhere: [{ id: OLD_ID, createdAt: '2025-01-01T00:00:00.000Z', madeFor: madeFor(THERE) }],
    });
    // Said once; read again, nothing changes.
    const before = await fingerprint();
    expect(await loadIdentity(dir, LATER, HERE)).toEqual({ ...result, news: null });
    expect(await fingerprint()).toEqual(before);
  });

  it('says "another machine" when the identity that came along does not name its host', async () => {
    const nameless: Partial<ReturnType<typeof madeFor>> = madeFor(THERE);
    delete nameless.host;
    await writeFileAs({
      format: 1,
      id: OLD_ID,
      createdAt: '2025-01-01T00:00:00.000Z',
      madeFor: nameless,
    });
    const result = await loadIdentity(dir, NOW, HERE);
    expect(result).toMatchObject({ ok: true, elsewhere: [{ id: OLD_ID, host: null }] });
    expect(result.ok && result.news).toMatch(
      /^This home folder's Snaptray identity was made on another machine \(or for another account\)/,
    );
  });

  it('gives every copy of it the same identity on this machine (two first runs agree)', async () => {
    const copy = join(await makeTempDir('st-identity-'), 'Snaptray');
    await mkdir(copy);
    await writeFile(join(copy, 'identity.json'), await readFile(path));
    const a = await loadIdentity(dir, NOW, HERE);
    const b = await loadIdentity(copy, LATER, HERE);
    expect(a.ok && b.ok && a.id === b.id).toBe(true);
    // Another machine derives another one.
    const third = await loadIdentity(copy, NOW, machine('third', 'c'.repeat(32)));
    expect(third.ok && a.ok && third.id !== a.id && third.id !== OLD_ID).toBe(true);
  });

  it('still gives the machine it was made for its own identity, should the file go back there', async () => {
    const here = await loadIdentity(dir, NOW, HERE);
    const before = await fingerprint();
    const there = await loadIdentity(dir, LATER, THERE);
    expect(there).toEqual({
      ok: true,
      id: OLD_ID,
      boundBy: 'machine-id',
      elsewhere: [{ id: here.ok ? here.id : '', host: 'univac', uid: UID }],
      note: null,
      news: null,
    });
    expect(await fingerprint()).toEqual(before);
  });

  it('stays readable by versions before bindings, which act as this machine’s owner', async () => {
    const result = await loadIdentity(dir, NOW, HERE);
    const older = olderSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    expect(older.id).toBe(result.ok ? result.id : '');
  });
});

describe('a file made for another account of this machine', () => {
  it('is not used either (another user id)', async () => {
    await writeFileAs({
      format: 1,
      id: OLD_ID,
      createdAt: '2025-01-01T00:00:00.000Z',
      madeFor: madeFor(machine('univac', ID_HERE, 4242)),
    });
    const result = await loadIdentity(dir, NOW, HERE);
    expect(result).toMatchObject({ ok: true, elsewhere: [{ id: OLD_ID, uid: 4242 }] });
    expect(result.ok && result.id).not.toBe(OLD_ID);
  });
});

// Only root can give a file to another user; the test suite runs as root (CI does).
describe('another account’s file (root with a user’s HOME, kept by sudo)', () => {
  const ROOT = machine('univac', ID_HERE, 0);

  it('is neither used nor changed, bound or not', async () => {
    expect(UID).toBe(0);
    for (const body of [
      { format: 1, id: OLD_ID, createdAt: '2025-01-01T00:00:00.000Z' },
      {
        format: 1,
        id: OLD_ID,
        createdAt: '2025-01-01T00:00:00.000Z',
        madeFor: madeFor(machine('univac', ID_HERE, NOBODY)),
      },
    ]) {
      await writeFileAs(body);
      await chown(path, NOBODY, NOBODY);
      const before = await fingerprint();
      const result = await loadIdentity(dir, NOW, ROOT);
      expect(result).toEqual({
        ok: false,
        message:
          `${path} belongs to user nobody, but Snaptray runs as root: it is that account's ` +
          'identity, which Snaptray will neither use nor change. sudo probably kept that ' +
          "user's HOME: run Snaptray as that user, or as root with root's own home (\"sudo -H " +
          'snaptray …" or "sudo -i").',
      });
      expect(await fingerprint()).toEqual(before);
      expect(await readdir(dir)).toEqual(['identity.json']);
    }
  });

  it('is not made by root in that account’s folder', async () => {
    expect(UID).toBe(0);
    await mkdir(dir, { recursive: true });
    await chown(dir, NOBODY, NOBODY);
    const result = await loadIdentity(dir, NOW, ROOT);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(
      new RegExp(`^${path} does not exist, and Snaptray runs as root: .* belongs to user nobody`),
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('is used when it holds an identity made for this account here', async () => {
    await writeFileAs({
      format: 1,
      id: OLD_ID,
      createdAt: '2025-01-01T00:00:00.000Z',
      madeFor: madeFor(HERE),
    });
    await chown(path, NOBODY, NOBODY);
    const before = await fingerprint();
    expect(await loadIdentity(dir, NOW, HERE)).toMatchObject({ ok: true, id: OLD_ID });
    expect(await fingerprint()).toEqual(before);
  });

  it('tells a user who is not root to use their own folders', async () => {
    await writeFileAs({ format: 1, id: OLD_ID, createdAt: '2025-01-01T00:00:00.000Z' });
    const result = await loadIdentity(dir, NOW, machine('univac', ID_HERE, 4242));
    expect(result).toEqual({
      ok: false,
      message:
        `${path} belongs to user root, but Snaptray runs as user id 4242: it is that account's ` +
        'identity, which Snaptray will neither use nor change. Set HOME (or XDG_CONFIG_HOME) to ' +
        'your own folders.',
    });
  });
});

describe('where no machine id lasts (live systems, minimal containers)', () => {
  const NO_ID = machine('univac', null);

  it('binds to the host name, and says so for check', async () => {
    const result = await loadIdentity(dir, NOW, NO_ID);
    expect(result).toMatchObject({ ok: true, boundBy: 'host-name', elsewhere: [], news: null });
    expect(result.ok && result.note).toBe(
      'This account\'s identity is bound to the host name "univac" instead of the machine id, ' +
        'because /etc/machine-id is missing. Renaming this machine will make Snaptray take this ' +
        'home folder for a copy from another machine ("snaptray adopt" then takes its snapshots ' +
        'over).',
    );
    expect((await readBack()).madeFor).toEqual(madeFor(NO_ID, 'host-name'));
    const before = await fingerprint();
    expect(await loadIdentity(dir, LATER, NO_ID)).toEqual(result);
    expect(await fingerprint()).toEqual(before);
    // A renamed machine looks like another one.
    const renamed = await loadIdentity(dir, NOW, machine('renamed', null));
    expect(renamed.ok && result.ok && renamed.id !== result.id).toBe(true);
  });

  it('takes a file bound to a machine id for one from elsewhere', async () => {
    await writeFileAs({
      format: 1,
      id: OLD_ID,
      createdAt: '2025-01-01T00:00:00.000Z',
      madeFor: madeFor(HERE),
    });
    const result = await loadIdentity(dir, NOW, NO_ID);
    expect(result).toMatchObject({ ok: true, boundBy: 'host-name', elsewhere: [{ id: OLD_ID }] });
  });

  it('moves a host-name binding to the machine id once one lasts, keeping the identity', async () => {
    const first = await loadIdentity(dir, NOW, NO_ID);
    const later = await loadIdentity(dir, LATER, HERE);
    expect(later).toEqual({
      ok: true,
      id: first.ok ? first.id : '',
      boundBy: 'machine-id',
      elsewhere: [],
      note: null,
      news: null,
    });
    expect((await readBack()).madeFor).toEqual(madeFor(HERE));
  });

  it('does not bind new identities to a machine id written during this boot, but still knows one made with it', async () => {
    const fresh: ThisMachine = {
      ...HERE,
      machineId: { hash: keyedHash('machine-id', ID_HERE), newThisBoot: true },
      noLastingId: '/etc/machine-id was written since this machine started',
    };
    const made = await loadIdentity(dir, NOW, fresh);
    expect(made).toMatchObject({ ok: true, boundBy: 'host-name' });
    expect(made.ok && made.note).toMatch(/because \/etc\/machine-id was written since/);

    await writeFileAs({
      format: 1,
      id: OLD_ID,
      createdAt: '2025-01-01T00:00:00.000Z',
      madeFor: madeFor(HERE),
    });
    const before = await fingerprint();
    expect(await loadIdentity(dir, NOW, fresh)).toMatchObject({
      ok: true,
      id: OLD_ID,
      boundBy: 'machine-id',
      note: null,
    });
    expect(await fingerprint()).toEqual(before);
  });
});

describe('planIdentity', () => {
  const file = (extra: Partial<IdentityFile>): IdentityFile => ({
    format: 1,
    id: OLD_ID,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  });

  it('prefers the identity bound to the machine id over one bound to the host name', () => {
    const byHost = { ...madeFor(HERE, 'host-name') };
    const plan = planIdentity(
      file({
        madeFor: byHost,
        elsewhere: [{ id: 'b'.repeat(32), createdAt: NOW.toISOString(), madeFor: madeFor(HERE) }],
      }),
      UID,
      HERE,
      NOW,
    );
    expect(plan).toEqual({
      kind: 'use',
      entry: { id: 'b'.repeat(32), createdAt: NOW.toISOString(), madeFor: madeFor(HERE) },
      elsewhere: [{ id: OLD_ID, host: 'univac', uid: UID }],
      write: null,
      split: false,
    });
  });

  it('never matches a binding of a kind it does not know, and keeps it', () => {
    const unknown = { uid: UID, by: 'tpm', machine: HERE.hostHash };
    const plan = planIdentity(file({ madeFor: unknown }), UID, HERE, NOW);
    expect(plan).toMatchObject({ kind: 'use', split: true, elsewhere: [{ id: OLD_ID }] });
    expect(plan.kind === 'use' && plan.write?.elsewhere).toEqual([
      { id: OLD_ID, createdAt: '2025-01-01T00:00:00.000Z', madeFor: unknown },
    ]);
  });

  it('keeps every earlier identity when it splits again (a home copied twice)', () => {
    const first = {
      id: 'c'.repeat(32),
      createdAt: NOW.toISOString(),
      madeFor: madeFor(machine('first', 'd'.repeat(32))),
    };
    const plan = planIdentity(
      file({ madeFor: madeFor(THERE), elsewhere: [first] }),
      UID,
      HERE,
      NOW,
    );
    expect(plan.kind === 'use' && plan.elsewhere.map((e) => e.host)).toEqual([
      'oldlaptop',
      'first',
    ]);
    expect(plan.kind === 'use' && plan.write?.elsewhere?.map((e) => e.id)).toEqual([
      OLD_ID,
      first.id,
    ]);
  });

  it('is foreign only for a file another account owns that holds nothing for this one', () => {
    expect(planIdentity(file({ madeFor: madeFor(THERE) }), NOBODY, HERE, NOW)).toEqual({
      kind: 'foreign',
    });
    expect(planIdentity(file({}), NOBODY, HERE, NOW)).toEqual({ kind: 'foreign' });
  });
});

describe('a file that cannot be read', () => {
  it('is an error that names it, and nothing is made in its place', async () => {
    await mkdir(path, { recursive: true });
    const result = await loadIdentity(dir, NOW, HERE);
    expect(result).toEqual({
      ok: false,
      message: `${path} cannot be read: EISDIR: illegal operation on a directory, read`,
    });
    expect(await readdir(dir)).toEqual(['identity.json']);
  });
});

describe('a damaged file', () => {
  it('is an error that says what to do, and is left as it was', async () => {
    for (const body of [
      '{"format":1,"id":"xyz","createdAt":"2025"}',
      `{"format":1,"id":"x${OLD_ID}","createdAt":"2025"}`,
      `{"format":1,"id":"${OLD_ID}x","createdAt":"2025"}`,
      '{"format":1,"id":"' + OLD_ID + '","createdAt":"2025","madeFor":{"uid":-1}}',
      'not json',
    ]) {
      await mkdir(dir, { recursive: true });
      await writeFile(path, body);
      const before = await fingerprint();
      expect(await loadIdentity(dir, NOW, HERE)).toEqual({
        ok: false,
        message:
          `${path} is damaged. It names this account as the owner of its snapshots on the ` +
          'destination: restore it from a backup, or delete it and run "snaptray adopt" to take ' +
          'your prefix over with a new identity.',
      });
      expect(await fingerprint()).toEqual(before);
    }
  });
});
