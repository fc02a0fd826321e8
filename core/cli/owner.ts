/** The owner a command acts as: this account's identity and the profile's name. */
import { hostname, userInfo } from 'node:os';
import type { Me } from '../destination/ownership.js';
import type { Failure } from '../errors.js';
import { loadIdentity } from '../settings/identity.js';
import type { CommandContext } from './output.js';

export async function commandOwner(
  ctx: CommandContext,
  profile: string,
): Promise<{ ok: true; me: Me } | { ok: false; failure: Failure }> {
  const identity = await loadIdentity(ctx.places.configDir, new Date());
  if (!identity.ok) return { ok: false, failure: { kind: 'settings', message: identity.message } };
  return {
    ok: true,
    me: { id: identity.id, profile, host: hostname(), user: userInfo().username },
  };
}
