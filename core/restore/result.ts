/** What the restore engine gives back: a value, or why not in words that name the fix. */
import type { FailureKind } from '../errors.js';

/** `not-found`: a path or snapshot that is not on the destination (bad input, nothing changed). */
export type RestoreFailureKind = FailureKind | 'not-found';

export interface RestoreFailure {
  kind: RestoreFailureKind;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; failure: RestoreFailure };

export function notFound(message: string): { ok: false; failure: RestoreFailure } {
  return { ok: false, failure: { kind: 'not-found', message } };
}
