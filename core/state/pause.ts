import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeAtomically } from './write-atomically.js';

/**
 * The pause of one profile: `<state dir>/pause`. PERSISTED FORMAT: set by the tray, obeyed by
 * the CLI from cron; add fields freely, never change them.
 *
 *   {"until": "2026-11-26T14:30:00.000Z" | null, "setAt": "2026-11-26T13:30:00.000Z"}
 *
 * `until: null` means "until I resume".
 */

const PAUSE_NAME = 'pause';

export type PauseState = { paused: false } | { paused: true; until: Date | null };

const pauseFileSchema = z.object({
  until: z.string().nullable(),
  setAt: z.string(),
});

export async function readPause(dir: string, now: Date): Promise<PauseState> {
  let text: string;
  try {
    text = await readFile(join(dir, PAUSE_NAME), 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return { paused: false };
    throw error;
  }
  return parsePause(text, now);
}

/** Reads the file's text; only a readable, expired pause counts as over. */
export function parsePause(text: string, now: Date): PauseState {
  const parsed = parsePauseFile(text);
  // A damaged file still says the user asked for a pause: skipping runs is safer than ignoring it.
  if (parsed === null) return { paused: true, until: null };
  if (parsed.until === null) return { paused: true, until: null };
  const until = new Date(parsed.until);
  if (Number.isNaN(until.getTime())) return { paused: true, until: null };
  return until.getTime() > now.getTime() ? { paused: true, until } : { paused: false };
}

/** Pauses until `until`, or until resumed when null. Replaces any earlier pause. */
export async function setPause(dir: string, until: Date | null, now: Date): Promise<void> {
  const body = { until: until === null ? null : until.toISOString(), setAt: now.toISOString() };
  await writeAtomically(join(dir, PAUSE_NAME), JSON.stringify(body) + '\n');
}

/** Resumes; resuming when not paused is fine. */
export async function clearPause(dir: string): Promise<void> {
  try {
    await unlink(join(dir, PAUSE_NAME));
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error;
  }
}

function parsePauseFile(text: string): z.infer<typeof pauseFileSchema> | null {
  try {
    const result = pauseFileSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
