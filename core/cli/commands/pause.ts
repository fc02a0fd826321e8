/**
 * `snaptray pause`: the tray's Pause from the command line, through the same pause file. As in
 * the tray, a backup running now is stopped (the next one continues from it): a run of the CLI or
 * cron by SIGTERM, as Ctrl-C would; the tray stops its own run when it sees the pause.
 */
import { failure, type Failure } from '../../errors.js';
import { ensurePrivateDir } from '../../state/paths.js';
import { setPause } from '../../state/pause.js';
import { readRunLock } from '../../state/profile-lock.js';
import type { CliArgs } from '../args.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import { pauseEnd } from '../pause-time.js';
import { localTime, stateProfile } from '../state-profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { profile: null, paused: false, pausedUntil: null, stopped: null, error };
}

export async function pause(args: CliArgs, ctx: CommandContext): Promise<Output> {
  const resolved = await stateProfile(args, ctx);
  if (!resolved.ok) return failedOutput(failureJson, 2, failure('settings', resolved.message));
  const sp = resolved.value;
  const now = new Date();
  const end = pauseEnd(args.for, args.until, now);
  if (!end.ok) return failedOutput(failureJson, 2, failure('usage', end.message));
  const dir = await ensurePrivateDir(sp.stateDir);
  if (dir.kind === 'refused') return failedOutput(failureJson, 1, failure('internal', dir.message));
  await setPause(sp.stateDir, end.until, now);
  const running = await readRunLock(sp.lock);
  const stopped =
    running === null
      ? null
      : { pid: running.pid, since: running.startedAt, source: running.source };
  let stopLine = '';
  if (running !== null) {
    const asked = running.source === 'tray' || stopProcess(running.pid);
    const from = running.source === 'tray' ? 'the tray' : 'the command line or cron';
    stopLine = asked
      ? `The backup running since ${localTime(new Date(running.startedAt))} (started from ${from}) is being stopped; the next backup continues from it.\n`
      : `The backup running since ${localTime(new Date(running.startedAt))} (process ${running.pid}) could not be stopped; it goes on, and the pause holds the backups after it.\n`;
  }
  const until =
    end.until === null
      ? 'until you resume them ("snaptray resume")'
      : `until ${localTime(end.until)} (or "snaptray resume")`;
  return {
    exitCode: 0,
    json: {
      profile: sp.name,
      paused: true,
      pausedUntil: end.until === null ? null : end.until.toISOString(),
      stopped,
      error: null,
    },
    text: `Backups of profile "${sp.name}" are paused ${until}.\n${stopLine}`,
  };
}

function stopProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
