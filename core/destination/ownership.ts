/**
 * Who may write and delete under a prefix on a shared destination.
 *
 * A prefix belongs to one owner: an account's identity (settings/identity.ts) plus a profile name.
 * The claim is the owner file `<prefix>.snaptray-owner.json`, pushed before the prefix's first
 * snapshot without replacing an existing one, then read back: of two new owners at once, only the
 * one whose file is there goes on. A run writes, links against and deletes only under a prefix
 * its own owner holds; `snaptray adopt` is the one explicit way to take a prefix over.
 *
 * PERSISTED FORMAT (format 1; add fields freely, change them only with a new format):
 *   {"format": 1, "prefix": "univac", "owner": {"id": "<32 hex>", "profile": "default"},
 *    "host": "univac", "user": "ben", "claimedAt": "<ISO-8601>", "appVersion": "0.2.0",
 *    "previousOwners": [{"id": …, "profile": …, "host": …, "user": …, "until": "<ISO-8601>"}],
 *    "movedSources": [{"from": "/home/ann", "to": "/home/ann2"}]}   (optional)
 * host and user are for people to read; only owner.id and owner.profile decide.
 */
import { z } from 'zod';
import type { ElsewhereIdentity } from '../settings/identity.js';
import { safeName } from '../terminal-text.js';
import type { Snapshot } from './snapshot.js';

export interface OwnerRef {
  id: string;
  profile: string;
}

/** The owner a run acts as: the identity and profile, with the names people recognise. */
export interface Me extends OwnerRef {
  host: string;
  user: string;
  /**
   * Identities this account's identity file holds for other machines or accounts: it came with a
   * home folder copied from elsewhere. A prefix one of them holds is refused, and says so.
   */
  elsewhere?: readonly ElsewhereIdentity[];
}

/** The owner `identity` acts as for `profile`. */
export function meFor(
  identity: { id: string; elsewhere: readonly ElsewhereIdentity[] },
  profile: string,
  host: string,
  user: string,
): Me {
  return { id: identity.id, profile, host, user, elsewhere: identity.elsewhere };
}

const ownerRefSchema = z.object({ id: z.string().min(1), profile: z.string().min(1) });

const previousOwnerSchema = z.object({
  id: z.string().nullable(),
  profile: z.string().nullable(),
  host: z.string().nullable(),
  user: z.string().nullable(),
  until: z.string(),
});

export const claimSchema = z.object({
  format: z.literal(1),
  prefix: z.string(),
  owner: ownerRefSchema,
  host: z.string(),
  user: z.string(),
  claimedAt: z.string(),
  appVersion: z.string(),
  previousOwners: z.array(previousOwnerSchema).default([]),
  /**
   * Folders that moved (`adopt --map OLD=NEW`): a source under NEW that its base snapshot did not
   * back up is linked against OLD there (backup/moved-sources.ts). Optional.
   */
  movedSources: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
});
export type Claim = z.infer<typeof claimSchema>;
export type PreviousOwner = z.infer<typeof previousOwnerSchema>;

/** The owner file as read: absent, readable, or there but not readable by this version. */
export type ClaimState =
  { kind: 'none' } | { kind: 'claimed'; claim: Claim } | { kind: 'unreadable'; reason: string };

export function parseClaim(raw: string | undefined): ClaimState {
  if (raw === undefined) return { kind: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'unreadable', reason: 'it is not valid JSON' };
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > 1) {
    return { kind: 'unreadable', reason: `it has format ${format}, written by a newer Snaptray` };
  }
  const parsed = claimSchema.safeParse(value);
  return parsed.success
    ? { kind: 'claimed', claim: parsed.data }
    : { kind: 'unreadable', reason: 'its fields are not the ones this version knows' };
}

export function sameOwner(a: OwnerRef, b: OwnerRef): boolean {
  return a.id === b.id && a.profile === b.profile;
}

/** Whether snapshots written by `writer` count as the claim's own (its owner or an earlier one). */
export function ownedBy(claim: Claim, writer: OwnerRef): boolean {
  if (sameOwner(claim.owner, writer)) return true;
  return claim.previousOwners.some((p) => p.id === writer.id && p.profile === writer.profile);
}

/** Who a prefix's snapshots belong to, from its owner file or, before there was one, its manifests. */
export type PrefixOwner =
  | { kind: 'claimed'; claim: Claim }
  | { kind: 'unreadable'; reason: string }
  /** No owner file; the newest manifest names its writer (host, and owner when it has one). */
  | { kind: 'unclaimed'; host: string; owner: OwnerRef | null; user: string | null }
  /** No owner file and no manifest: nobody has backed up under this prefix with Snaptray. */
  | { kind: 'free' };

export function prefixOwner(claim: ClaimState, snapshots: readonly Snapshot[]): PrefixOwner {
  if (claim.kind === 'claimed') return claim;
  if (claim.kind === 'unreadable') return claim;
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const m = snapshots[i]?.manifest;
    if (m) return { kind: 'unclaimed', host: m.host, owner: m.owner ?? null, user: m.user ?? null };
  }
  return { kind: 'free' };
}

/** What a run that wants to write under the prefix does about it. */
export type OwnershipDecision =
  | { kind: 'ours'; claim: Claim }
  /** Push an owner file for `me` (nobody holds the prefix, or it is this account's from before). */
  | { kind: 'claim' }
  | { kind: 'refuse'; message: string };

export function decideOwnership(owner: PrefixOwner, me: Me, prefix: string): OwnershipDecision {
  const adopt = `run "snaptray adopt${me.profile === 'default' ? '' : ` --profile ${me.profile}`}"`;
  switch (owner.kind) {
    case 'claimed':
      if (sameOwner(owner.claim.owner, me)) return { kind: 'ours', claim: owner.claim };
      if (cameWithHome(me, owner.claim.owner.id)) {
        return copiedHome(prefix, describeOwner(owner.claim), safeName(owner.claim.host), adopt);
      }
      return {
        kind: 'refuse',
        message:
          `The snapshots named "${prefix}-…" on the destination belong to ${describeOwner(owner.claim, me)}. ` +
          'Two owners sharing a prefix would link against and delete each other’s snapshots, so ' +
          'nothing was written. Choose another prefix for this profile; or, if those snapshots are ' +
          `yours (a reinstall, or this machine replaces that one), ${adopt} to take them over.`,
      };
    case 'unreadable':
      return {
        kind: 'refuse',
        message:
          `The owner file of the prefix "${prefix}" cannot be read (${owner.reason}), so this ` +
          'version cannot tell whose snapshots these are and writes nothing. Update Snaptray, or ' +
          'choose another prefix.',
      };
    case 'free':
      return { kind: 'claim' };
    case 'unclaimed':
      if (owner.owner !== null) {
        if (sameOwner(owner.owner, me)) return { kind: 'claim' };
        if (cameWithHome(me, owner.owner.id)) {
          const who = `${owner.user === null ? 'another user' : safeName(owner.user)} on "${safeName(owner.host)}" (profile "${safeName(owner.owner.profile)}")`;
          return copiedHome(prefix, who, safeName(owner.host), adopt);
        }
        return {
          kind: 'refuse',
          message:
            `The snapshots named "${prefix}-…" were made by ${owner.user === null ? 'another user' : safeName(owner.user)} on ` +
            `"${safeName(owner.host)}" (profile "${safeName(owner.owner.profile)}"), and their owner file is missing. ` +
            `Choose another prefix; or, if they are yours, ${adopt}.`,
        };
      }
      // Made by a version from before owners: this host's default profile claims them once.
      if (owner.host === me.host && me.profile === 'default') return { kind: 'claim' };
      if (owner.host === me.host) {
        return {
          kind: 'refuse',
          message:
            `The snapshots named "${prefix}-…" were made on this machine before prefixes had ` +
            'owners; the default profile takes them over by itself. To use them for the profile ' +
            `"${me.profile}" instead, ${adopt}; otherwise choose another prefix.`,
        };
      }
      return {
        kind: 'refuse',
        message:
          `The snapshots named "${prefix}-…" were made by the machine "${safeName(owner.host)}". If that ` +
          `was this machine under an earlier name, or this machine replaces it, ${adopt} to ` +
          'continue its snapshots; otherwise choose another prefix.',
      };
  }
}

/** Whether `id` is an identity this account's file holds for another machine or account. */
function cameWithHome(me: Me, id: string): boolean {
  return me.elsewhere?.some((e) => e.id === id) === true;
}

/** The refusal under a prefix that an identity which came with this home folder holds. */
function copiedHome(prefix: string, who: string, host: string, adopt: string): OwnershipDecision {
  return {
    kind: 'refuse',
    message:
      `The snapshots named "${prefix}-…" belong to ${who}, and this account's Snaptray ` +
      `identity was made there, not on this machine: this looks like a home folder copied or ` +
      `restored from "${host}". This machine has an identity of its own, so that the two never ` +
      'link against or delete each other’s snapshots; nothing was written. If this machine ' +
      `replaces "${host}", ${adopt} (or Take over in the settings window) to continue its ` +
      'snapshots; otherwise choose another prefix for this machine.',
  };
}

/** "user ben on "univac" (profile "default")", or "this account's profile "work"". */
export function describeOwner(claim: Claim, me?: Me): string {
  // Read from the destination: shown with any control characters escaped (terminal-text.ts).
  if (me !== undefined && claim.owner.id === me.id) {
    return `this account's profile "${safeName(claim.owner.profile)}"`;
  }
  return `user ${safeName(claim.user)} on "${safeName(claim.host)}" (profile "${safeName(claim.owner.profile)}")`;
}

/** The owner file that makes `me` the owner, keeping the history of earlier owners. */
export function claimFor(
  me: Me,
  prefix: string,
  now: Date,
  appVersion: string,
  previous: PreviousOwner[] = [],
): Claim {
  return {
    format: 1,
    prefix,
    owner: { id: me.id, profile: me.profile },
    host: me.host,
    user: me.user,
    claimedAt: now.toISOString(),
    appVersion,
    previousOwners: previous,
  };
}

/** Who held the prefix before an adopt, for the new claim's history. */
export function previousOwnersOf(owner: PrefixOwner, now: Date): PreviousOwner[] {
  const until = now.toISOString();
  switch (owner.kind) {
    case 'claimed': {
      const { claim } = owner;
      return [
        ...claim.previousOwners,
        {
          id: claim.owner.id,
          profile: claim.owner.profile,
          host: claim.host,
          user: claim.user,
          until,
        },
      ];
    }
    case 'unclaimed':
      return [
        {
          id: owner.owner?.id ?? null,
          profile: owner.owner?.profile ?? null,
          host: owner.host,
          user: owner.user,
          until,
        },
      ];
    case 'unreadable':
    case 'free':
      return [];
  }
}
