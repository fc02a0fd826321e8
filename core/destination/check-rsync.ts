/**
 * The `rsync` step of `snaptray check`: rsync runs here, and answers on the destination. When the
 * far shell does not find it (Entware installs it in /opt/bin, which ssh commands on a router do
 * not have on their PATH), the usual places are tried through the same connection, so the step
 * can say where it is instead of advising to install it.
 */
import type { CheckStep } from './check.js';
import { remoteSource, type DestinationContext } from './ops.js';
import { localRsyncVersion } from './remote-args.js';
import {
  bannerStart,
  classifyRsyncFailure,
  missingProgram,
  quietLoginAdvice,
} from './rsync-messages.js';
import type { SpawnResult } from '../process.js';

/** Where rsync is installed on routers and NAS boxes, most likely first. */
export const USUAL_RSYNC_PLACES = [
  '/opt/bin/rsync',
  '/usr/bin/rsync',
  '/usr/local/bin/rsync',
  '/opt/usr/bin/rsync',
];

export async function checkRsync(
  ctx: DestinationContext,
  rsyncPath: string | null,
  signal?: AbortSignal,
): Promise<CheckStep> {
  const dest = ctx.dest;
  if (dest.kind === 'local') {
    const local = await localRsyncVersion(ctx.spawn);
    return local.version !== null
      ? { step: 'rsync', ok: true, message: `rsync ${local.version} runs on this computer.` }
      : {
          step: 'rsync',
          ok: false,
          message:
            `rsync does not run on this computer (${local.problem}). Install it ` +
            '(sudo apt install rsync).',
          kind: 'rsync-failed',
        };
  }
  const first = await askProtocol(ctx, rsyncPath, signal);
  const protocol = protocolOf(first);
  if (protocol !== null) {
    const text = bannerStart(protocol);
    if (text === null) {
      const where = rsyncPath !== null ? ` at ${rsyncPath}` : '';
      return {
        step: 'rsync',
        ok: true,
        message: `rsync answers on the destination${where} (protocol ${protocol}).`,
      };
    }
    return {
      step: 'rsync',
      ok: false,
      message:
        "The destination's login prints text before it runs commands, and rsync read that text " +
        `("${text}…") as its protocol version, so no transfer can work. ${quietLoginAdvice(dest)}`,
      kind: 'login-banner',
    };
  }
  if (missingProgram(first) === null) {
    const failed = classifyRsyncFailure(first, 'Starting rsync on the destination', dest);
    return { step: 'rsync', ok: false, message: failed.message, kind: failed.kind };
  }
  const candidates = [
    ...(rsyncPath !== null ? [null] : []),
    ...USUAL_RSYNC_PLACES.filter((p) => p !== rsyncPath),
  ];
  for (const candidate of candidates) {
    const answer = protocolOf(await askProtocol(ctx, candidate, signal));
    if (answer === null || bannerStart(answer) !== null) continue;
    if (candidate === null) {
      return {
        step: 'rsync',
        ok: false,
        message:
          `rsync is not at ${rsyncPath ?? ''}, the rsync path set for this destination, but ssh ` +
          'commands there find it on their PATH: clear the rsync path (--rsync-path).',
        kind: 'rsync-not-on-path',
      };
    }
    return {
      step: 'rsync',
      ok: false,
      message:
        `rsync is at ${candidate}: set --rsync-path ${candidate} (the rsync path in the settings). ` +
        (rsyncPath !== null
          ? `It is not at ${rsyncPath}, the path set now.`
          : 'ssh commands on the destination do not find it by themselves: it is not on the PATH ' +
            'they get.'),
      kind: 'rsync-not-on-path',
      suggestedRsyncPath: candidate,
    };
  }
  return {
    step: 'rsync',
    ok: false,
    message:
      'rsync was not found on the destination: not on the PATH that ssh commands get there' +
      (rsyncPath !== null ? `, not at ${rsyncPath} (the rsync path set now)` : '') +
      `, and not in ${USUAL_RSYNC_PLACES.join(', ')}. Install it (on Entware: opkg install ` +
      'rsync), or set --rsync-path to where it is.',
    kind: 'remote-rsync-missing',
  };
}

/**
 * `rsync --debug=proto --list-only host:DEST/.` with the far side's rsync at `rsyncPath` (null:
 * found on the PATH there); `remote=N` in its output is the far side's protocol version.
 */
function askProtocol(
  ctx: DestinationContext,
  rsyncPath: string | null,
  signal?: AbortSignal,
): Promise<SpawnResult> {
  const shell = ctx.rsyncShellArgs.filter((a) => !a.startsWith('--rsync-path='));
  return ctx.spawn({
    file: 'rsync',
    args: [
      ...shell,
      ...(rsyncPath !== null ? [`--rsync-path=${rsyncPath}`] : []),
      '--debug=proto',
      '--list-only',
      `${remoteSource(ctx, ctx.dest.path)}/.`,
    ],
    signal,
  });
}

function protocolOf(result: SpawnResult): number | null {
  const m = /remote=(\d+)/.exec(result.stdout + result.stderr);
  return m ? Number(m[1]) : null;
}
