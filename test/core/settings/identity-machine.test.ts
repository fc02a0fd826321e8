/** What identities are bound to: the machine id files as they are on disk, and the host name. */
import { createHmac } from 'node:crypto';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { keyedHash, thisMachine } from '../../../core/settings/this-machine.js';
import { makeTempDir } from '../../support/tree.js';

const ID = '0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210';
const NOW = new Date('2026-11-29T10:00:00.000Z');
const BOOT = new Date('2026-11-29T08:00:00.000Z');
const INSTALLED = new Date('2025-06-24T14:37:40.000Z');

let dir: string;
let etc: string;
let dbus: string;

beforeEach(async () => {
  dir = await makeTempDir('st-machine-');
  etc = join(dir, 'etc-machine-id');
  dbus = join(dir, 'dbus-machine-id');
});

async function writeId(file: string, text: string, written = INSTALLED): Promise<void> {
  await writeFile(file, text);
  await utimes(file, written, written);
}

function sources(extra: { bootTime?: Date | null } = {}) {
  return { files: [etc, dbus], host: 'univac', uid: 1000, now: NOW, bootTime: BOOT, ...extra };
}

describe('keyedHash', () => {
  it('is HMAC-SHA256 keyed with the app’s own string; the machine id itself is never kept', () => {
    const hmac = (text: string) =>
      createHmac('sha256', 'snaptray identity v1').update(text).digest('hex');
    expect(keyedHash('machine-id', ID)).toBe(hmac(ID));
    expect(keyedHash('host-name', 'univac')).toBe(hmac('host-name:univac'));
    expect(keyedHash('machine-id', ID)).not.toContain(ID);
  });
});

describe('thisMachine', () => {
  it('binds to /etc/machine-id when it holds a lasting id', async () => {
    await writeId(etc, `${ID}\n`);
    await writeId(dbus, `${OTHER}\n`);
    expect(await thisMachine(sources())).toEqual({
      uid: 1000,
      host: 'univac',
      hostHash: keyedHash('host-name', 'univac'),
      machineId: { hash: keyedHash('machine-id', ID), newThisBoot: false },
      noLastingId: null,
    });
  });

  it('falls back to /var/lib/dbus/machine-id', async () => {
    await writeId(dbus, `${OTHER}\n`);
    expect(await thisMachine(sources())).toMatchObject({
      machineId: { hash: keyedHash('machine-id', OTHER), newThisBoot: false },
      noLastingId: null,
    });
  });

  it('falls back to the host name when neither holds an id, and says why', async () => {
    await writeId(etc, 'uninitialized\n');
    expect(await thisMachine(sources())).toEqual({
      uid: 1000,
      host: 'univac',
      hostHash: keyedHash('host-name', 'univac'),
      machineId: null,
      noLastingId: `${etc} holds no machine id; ${dbus} is missing`,
    });
    await writeId(etc, `${'0'.repeat(32)}\n`);
    expect((await thisMachine(sources())).machineId).toBeNull();
    await writeId(etc, 'ABCDEF0123456789ABCDEF0123456789\n');
    expect((await thisMachine(sources())).machineId).toBeNull();
  });

  it('takes an id written during this boot for one that may be new at every start', async () => {
    await writeId(etc, `${ID}\n`, new Date('2026-11-29T08:00:05.000Z'));
    expect(await thisMachine(sources())).toMatchObject({
      machineId: { hash: keyedHash('machine-id', ID), newThisBoot: true },
      noLastingId:
        `${etc} was written since this machine started (a live system or a container makes a ` +
        `new one at every start); ${dbus} is missing`,
    });
    // Written before this boot began, or with a clock that was ahead: it lasts.
    await writeId(etc, `${ID}\n`, new Date('2026-11-29T07:59:59.000Z'));
    expect((await thisMachine(sources())).noLastingId).toBeNull();
    await writeId(etc, `${ID}\n`, new Date('2026-12-24T00:00:00.000Z'));
    expect((await thisMachine(sources())).noLastingId).toBeNull();
    // Without a boot time, no id counts as new.
    await writeId(etc, `${ID}\n`, new Date('2026-11-29T09:00:00.000Z'));
    expect((await thisMachine(sources({ bootTime: null }))).noLastingId).toBeNull();
  });

  it('reads this machine by default', async () => {
    const here = await thisMachine();
    expect(here.uid).toBe(process.getuid?.());
    expect(here.host).toBe(hostname());
    const id = (await readFile('/etc/machine-id', 'utf8').catch(() => '')).trim();
    if (/^[0-9a-f]{32}$/.test(id)) {
      expect(here.machineId?.hash).toBe(keyedHash('machine-id', id));
    }
  });
});
