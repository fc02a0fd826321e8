/**
 * This user account's Snaptray identity: a random id made once and kept in the config folder, so
 * that a prefix on a shared destination belongs to one account and profile, whatever the machine
 * is called. /etc/machine-id will not do: it is confidential, missing in containers, and the same
 * for root and every user.
 *
 * PERSISTED FORMAT: `$XDG_CONFIG_HOME/Snaptray/identity.json`, mode 0600, never rewritten:
 *   {"format": 1, "id": "<32 hex digits>", "createdAt": "2026-11-29T10:00:00.000Z"}
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const IDENTITY_FILE = 'identity.json';

const identitySchema = z.object({
  format: z.literal(1),
  id: z.string().regex(/^[0-9a-f]{32}$/),
  createdAt: z.string(),
});

export type IdentityResult = { ok: true; id: string } | { ok: false; message: string };

/** Reads the identity, making it on first use. A damaged file is an error, never replaced. */
export async function loadIdentity(configDir: string, now: Date): Promise<IdentityResult> {
  const path = join(configDir, IDENTITY_FILE);
  const existing = await readIdentity(path);
  if (existing !== 'missing') return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const body = { format: 1, id: randomBytes(16).toString('hex'), createdAt: now.toISOString() };
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, JSON.stringify(body) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    // link() fails when the file exists: of two first runs at once (tray and cron), one wins.
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const made = await readIdentity(path);
  return made === 'missing' ? { ok: false, message: `${path} could not be created.` } : made;
}

async function readIdentity(path: string): Promise<IdentityResult | 'missing'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return { ok: false, message: `${path} cannot be read: ${(error as Error).message}` };
  }
  try {
    const parsed = identitySchema.safeParse(JSON.parse(text));
    if (parsed.success) return { ok: true, id: parsed.data.id };
  } catch {
    // reported below
  }
  return {
    ok: false,
    message:
      `${path} is damaged. It names this account as the owner of its snapshots on the ` +
      'destination: restore it from a backup, or delete it and run "snaptray adopt" to take your ' +
      'prefix over with a new identity.',
  };
}
