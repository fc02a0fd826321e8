/** The owner a command acts as: this account's identity and the profile's name. */
import { hostname, userInfo } from 'node:os';
import { meFor, type Me } from '../destination/ownership.js';
import type { Failure } from '../errors.js';
import { loadIdentity } from '../settings/identity.js';
import type { CommandContext, Output } from './output.js';

export async function commandOwner(
  ctx: CommandContext,
  profile: string,
): Promise<
  { ok: true; me: Me; note: string | null; news: string | null } | { ok: false; failure: Failure }
> {
  const identity = await loadIdentity(ctx.places.configDir, new Date());
  if (!identity.ok) return { ok: false, failure: { kind: 'settings', message: identity.message } };
  return {
    ok: true,
    me: meFor(identity, profile, hostname(), userInfo().username),
    note: identity.note,
    news: identity.news,
  };
}

/** The output with `news` (said once, when this machine got an identity of its own) in front. */
export function withNews(output: Output, news: string | null): Output {
  if (news === null) return output;
  const json = output.json.warnings;
  return {
    ...output,
    warnings: [news, ...(output.warnings ?? [])],
    json: Array.isArray(json) ? { ...output.json, warnings: [news, ...json] } : output.json,
  };
}
