/** `snaptray resume`: ends a pause set from the tray or with `snaptray pause`. */
import { failure, type Failure } from '../../errors.js';
import { clearPause, readPause } from '../../state/pause.js';
import type { CliArgs } from '../args.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import { stateProfile } from '../state-profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { profile: null, paused: false, wasPaused: false, error };
}

export async function resume(args: CliArgs, ctx: CommandContext): Promise<Output> {
  const resolved = await stateProfile(args, ctx);
  if (!resolved.ok) return failedOutput(failureJson, 2, failure('settings', resolved.message));
  const sp = resolved.value;
  // A damaged pause file reads as paused; resuming removes it all the same.
  const was = await readPause(sp.stateDir, new Date()).catch(() => ({ paused: true }));
  await clearPause(sp.stateDir);
  return {
    exitCode: 0,
    json: { profile: sp.name, paused: false, wasPaused: was.paused, error: null },
    text: was.paused
      ? `Backups of profile "${sp.name}" are resumed.\n`
      : `Backups of profile "${sp.name}" were not paused.\n`,
  };
}
