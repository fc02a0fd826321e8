/** `snaptray check`: each thing a backup needs from the destination, in order. */
import { checkDestination } from '../../destination/check.js';
import { sessionEnvironment } from '../../environment.js';
import type { Failure } from '../../errors.js';
import { spawnProcess } from '../../process.js';
import type { CliArgs } from '../args.js';
import type { CommandContext, Output } from '../output.js';
import { commandOwner } from '../owner.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { steps: [], error };
}

export async function check(
  _args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const owner = await commandOwner(ctx, r.name);
  const steps = await checkDestination(
    sessionEnvironment(ctx.places, spawnProcess),
    r.dest,
    r.profile.ssh,
    ctx.signal,
    {
      prefix: r.profile.prefix,
      ...(owner.ok
        ? { me: owner.me, identityNote: [owner.news, owner.note].filter(Boolean).join(' ') }
        : { identityProblem: owner.failure.message }),
      fakeSuper: r.profile.rsync.fakeSuper,
    },
  );
  const allOk = steps.every((s) => s.ok);
  const text =
    steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'}  ${s.step}: ${s.message}`).join('\n') + '\n';
  return {
    exitCode: allOk ? 0 : 1,
    json: {
      steps: steps.map(({ step, ok, message, suggestedRsyncPath }) => ({
        step,
        ok,
        message,
        ...(suggestedRsyncPath !== undefined ? { suggestedRsyncPath } : {}),
      })),
      warnings: r.settingsWarnings,
    },
    text,
    warnings: r.settingsWarnings,
  };
}
