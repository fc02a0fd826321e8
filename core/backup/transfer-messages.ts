/**
 * What rsync said during a push, sorted by which side it concerns. rsync ≥ 3.2 tags its messages
 * `[sender]` (here: the source, read on this machine), `[receiver]` or `[generator]` (the
 * destination). rsync 3.0/3.1 on a router tags nothing, and during a push an untagged message
 * comes from the far side, except the few only a sender prints. Only an unreadable source makes
 * a snapshot "partial"; anything the destination failed to store makes the run a failure.
 *
 * Also counted from the itemized list (`-i`): how each regular file arrived, so that a run that
 * copied every unchanged file again (a destination that does not hard-link) is noticed although
 * rsync's statistics call it a success.
 */

/** Names kept per category; the rest are only counted. */
export const NAMED_LIMIT = 20;

export interface NamedCount {
  count: number;
  /** The first NAMED_LIMIT paths, as rsync printed them. */
  paths: string[];
}

export interface DestinationProblem {
  /** In words: "cannot store symbolic links". */
  what: string;
  count: number;
  paths: string[];
  /** One line as rsync printed it, to keep the exact reason. */
  example: string;
}

export interface TransferMessages {
  unreadable: NamedCount;
  vanished: NamedCount;
  /** Special files (devices, sockets, pipes) a receiver that is not root skipped without error. */
  skippedSpecial: NamedCount;
  /** What the destination refused, by kind. */
  destination: DestinationProblem[];
  linkBaseMissing: string | null;
  diskFull: boolean;
  /** Error lines that fit none of the above, as printed. */
  other: string[];
  /** How regular files arrived (itemized lines). */
  files: { created: number; copiedLocally: number; changed: number; linkedInTransfer: number };
}

export function emptyMessages(): TransferMessages {
  return {
    unreadable: { count: 0, paths: [] },
    vanished: { count: 0, paths: [] },
    skippedSpecial: { count: 0, paths: [] },
    destination: [],
    linkBaseMissing: null,
    diskFull: false,
    other: [],
    files: { created: 0, copiedLocally: 0, changed: 0, linkedInTransfer: 0 },
  };
}

function note(into: NamedCount, path: string): void {
  into.count++;
  if (into.paths.length < NAMED_LIMIT) into.paths.push(path);
}

/** The first double-quoted path of a message, unquoted. */
function quoted(message: string): string {
  return /"((?:[^"\\]|\\.)*)"/.exec(message)?.[1] ?? '';
}

// `rsync: [sender] send_files failed to open "/x": Permission denied (13)`; the tag is optional.
const MESSAGE = /^rsync: (?:\[(sender|receiver|generator|Receiver|Sender)\] )?(.*)$/;
const SENDER_ONLY = /^(?:send_files failed to open|file has vanished|readlink_stat\(|link_stat ")/;
const UNREADABLE =
  /^(?:send_files failed to open|opendir|readlink_stat|link_stat) "(.*)"(?: failed)?: Permission denied/;
const VANISHED = /^file has vanished: "(.*)"/;

/** What the destination could not do, from the far side's message. */
const DESTINATION_KINDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/No space left on device|Disk quota exceeded/, 'ran out of space'],
  [/^symlink .* failed/, 'cannot store symbolic links'],
  [/^link .* failed/, 'cannot create hard links'],
  [/^failed to set permissions|^chmod .* failed/, 'cannot keep permissions'],
  [/^(?:chown|lchown) .* failed|failed to set owner/, 'cannot set owners'],
  [/^mknod .* failed/, 'cannot create device files or pipes (it is not root; see fakeSuper)'],
  [/^mkstemp .* failed|^open .* failed/, 'cannot create files'],
  [/^mkdir .* failed|^recv_generator: mkdir/, 'cannot create folders'],
  [/^rename .* failed/, 'cannot rename files'],
  [/^write failed on|^write error/, 'failed to write files'],
  [/^failed to set times|^set_modtime/, 'cannot keep modification times'],
  [/^(?:rsync_xal_set|set_acl|lsetxattr|rsync_xal_)/, 'cannot keep extended attributes or ACLs'],
];

/** Reads one stderr line of a push. */
export function readErrorLine(into: TransferMessages, line: string): void {
  const missingBase = /--link-dest arg does not exist: (.*)$/.exec(line);
  if (missingBase) {
    into.linkBaseMissing = missingBase[1] ?? '';
    return;
  }
  // rsync prints this one without its "rsync:" prefix; only a sender says it.
  const vanished = /file has vanished: "(.*)"/.exec(line);
  if (vanished) return note(into.vanished, vanished[1] ?? '');
  const m = MESSAGE.exec(line);
  if (m === null) return; // "rsync error: …" summaries and anything else: the exit code speaks
  const tag = m[1]?.toLowerCase() ?? null;
  const message = m[2] ?? '';
  // An untagged line came from an rsync before 3.2: in a push, the far side, which is the
  // destination, unless it is a message only a sender prints (a push never makes the receiver
  // read a folder or open a file to send).
  const side =
    tag === 'sender'
      ? 'source'
      : tag !== null
        ? 'destination'
        : SENDER_ONLY.test(message) || UNREADABLE.test(message)
          ? 'source'
          : 'destination';
  if (side === 'source') {
    const gone = VANISHED.exec(message);
    if (gone) return note(into.vanished, gone[1] ?? '');
    const denied = UNREADABLE.exec(message);
    if (denied) return note(into.unreadable, denied[1] ?? '');
    // A broken pipe on the sending side follows the far side's failure; it says nothing new.
    if (/write error: Broken pipe|connection unexpectedly closed/.test(message)) return;
    into.other.push(line);
    return;
  }
  if (/No space left on device|Disk quota exceeded/.test(message)) into.diskFull = true;
  if (/write error: Broken pipe|connection unexpectedly closed/.test(message)) return;
  const what = DESTINATION_KINDS.find(([pattern]) => pattern.test(message))?.[1];
  if (what === undefined) {
    into.other.push(line);
    return;
  }
  let problem = into.destination.find((p) => p.what === what);
  if (problem === undefined) {
    problem = { what, count: 0, paths: [], example: line };
    into.destination.push(problem);
  }
  problem.count++;
  const path = quoted(message);
  if (path !== '' && problem.paths.length < 3) problem.paths.push(path);
}

// `>f+++++++++ path`, `cf...p..... path`, `hf+++++++++ path => other`
const ITEM = /^([<>ch.])f([a-zA-Z.+? ]{9}) /;
const SKIPPED = /^skipping non-regular file "(.*)"$/;

/** Reads one stdout line of a push (itemized changes, notes). */
export function readOutputLine(into: TransferMessages, line: string): void {
  const item = ITEM.exec(line);
  if (item !== null) {
    const [, update, flags] = item;
    if (update === 'h') into.files.linkedInTransfer++;
    else if (update === 'c') into.files.copiedLocally++;
    else if (flags === '+++++++++') into.files.created++;
    else into.files.changed++;
    return;
  }
  const skipped = SKIPPED.exec(line);
  if (skipped) note(into.skippedSpecial, skipped[1] ?? '');
}

/** "a, b and 3 more" for at most NAMED_LIMIT names of `n`. */
export function namedList(list: NamedCount): string {
  const more = list.count - list.paths.length;
  return list.paths.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** The destination's refusals in one sentence: what, how often, where, and the system's reason. */
export function describeDestinationProblems(problems: readonly DestinationProblem[]): string {
  return problems
    .map((p) => {
      const reason = /: ([^:"]+)$/.exec(p.example)?.[1]?.trim();
      const where = p.paths[0] !== undefined ? `, for example ${p.paths[0]}` : '';
      const items = p.count === 1 ? '1 item' : `${p.count} items`;
      return `it ${p.what} (${items}${where}${reason ? `: ${reason}` : ''})`;
    })
    .join('; ');
}

/**
 * Whether unchanged files were copied again rather than hard-linked: nothing at all was linked
 * although a complete earlier snapshot of the same sources was the base, and the files were
 * either copied on the far side (`cf…`: the base's copy differed in mode or owner) or all sent as
 * new (the base was not found: rrsync replaces a missing --link-dest folder with an empty one).
 */
export function copiedInsteadOfLinked(
  files: TransferMessages['files'],
  regularFiles: number | null,
  baseHoldsFiles: boolean,
): 'mode-mismatch' | 'base-not-found' | null {
  if (!baseHoldsFiles || regularFiles === null || regularFiles === 0) return null;
  const arrived = files.created + files.copiedLocally + files.changed + files.linkedInTransfer;
  if (arrived < regularFiles) return null; // some file was hard-linked to the base
  if (files.copiedLocally > 0) return 'mode-mismatch';
  if (files.created >= regularFiles - files.linkedInTransfer) return 'base-not-found';
  return null;
}
