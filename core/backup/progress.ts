/**
 * Reading what `rsync -i --info=progress2 --stats` prints on stdout.
 *
 * rsync redraws its progress line with a bare `\r`, so the stream is split on `\r\n`, `\r` or `\n`
 * (never on chunk boundaries). It escapes odd bytes in names (`\#012` for a newline, `\#377` for
 * 0xff), so one item never spans two lines.
 */

const LINE_BREAK = /\r\n|\r|\n/;
const CR = 13;
const LF = 10;

/** Turns stdout chunks into complete lines, whatever the chunk boundaries are. */
export class LineSplitter {
  private pending = '';
  // A chunk that ended in `\r` may be followed by the `\n` of the same `\r\n`.
  private afterCR = false;

  /** The lines that this chunk completes. */
  push(chunk: string): string[] {
    if (chunk === '') return [];
    let text = chunk;
    if (this.afterCR) {
      this.afterCR = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    if (this.pending !== '') text = this.pending + text;
    if (text === '') return [];
    const lines = text.split(LINE_BREAK);
    this.pending = lines.pop() ?? '';
    // A trailing `\r` completes its line now: progress lines end that way and then wait.
    this.afterCR = text.charCodeAt(text.length - 1) === CR;
    return lines;
  }

  /** The last line, if the stream ended without a line break. */
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    this.afterCR = false;
    return rest === '' ? [] : [rest];
  }
}

export interface Progress {
  /** Bytes of the files transferred so far (rsync's running total, not wire bytes). */
  bytes: number;
  /** Percent of the whole run: only on `to-chk=` lines (with `ir-chk=` it covers the list so far). */
  percent: number | null;
  /**
   * rsync's percent as printed, of the bytes of the list seen so far: of the whole run once a
   * `to-chk=` line has appeared, also on the redraws within a file that follow it.
   */
  printedPercent: number;
  bytesPerSecond: number | null;
  /** Only on redraws within a file: on `xfr#` lines rsync prints the elapsed time there instead. */
  etaSeconds: number | null;
  /** Files transferred so far (`xfr#N`). */
  transfers: number | null;
  /** Files still to check, of `total` known so far (`ir-chk=` or `to-chk=` R/T). */
  remaining: number | null;
  total: number | null;
}

// `  21,360,275  99%  14.78MB/s  0:00:01 (xfr#301, to-chk=0/324)`; separators follow the locale.
const PROGRESS_LINE =
  /^ *(\d[\d,.]*) +(\d{1,3})% +(\d+[.,]\d+)([kMGT]?)B\/s +(?:(\d+):(\d\d):(\d\d)|\?\?:\?\?:\?\?)(?: \(xfr#(\d+), (ir|to)-chk=(\d+)\/(\d+)\))? *$/;

// rsync's kB/s is 1024 bytes a second.
const UNIT_FACTORS: Record<string, number> = {
  '': 1,
  k: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** A whole number printed with thousands separators of any locale. */
function parseCount(text: string): number {
  return Number(text.replace(/[,.]/g, ''));
}

/** The progress a progress2 line shows, or null for any other line. */
export function parseProgress(line: string): Progress | null {
  const m = PROGRESS_LINE.exec(line);
  if (m === null) return null;
  const [, bytes, percent, rate, unit, hours, minutes, seconds, xfr, chk, remaining, total] = m;
  if (bytes === undefined || rate === undefined) return null;
  const hasTransfers = xfr !== undefined;
  const eta =
    !hasTransfers && hours !== undefined
      ? Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)
      : null;
  return {
    bytes: parseCount(bytes),
    percent: chk === 'to' ? Number(percent) : null,
    printedPercent: Number(percent),
    bytesPerSecond: Math.round(Number(rate.replace(',', '.')) * (UNIT_FACTORS[unit ?? ''] ?? 1)),
    etaSeconds: eta,
    transfers: hasTransfers ? Number(xfr) : null,
    remaining: remaining === undefined ? null : Number(remaining),
    total: total === undefined ? null : Number(total),
  };
}

export interface RsyncStats {
  /** Every item in the file list: files, folders, links, devices. */
  files: number;
  /** Regular files in the file list (`reg:` of "Number of files"), null when rsync does not say. */
  regularFiles: number | null;
  regularFilesTransferred: number;
  /** What was really sent over the wire as file data. */
  literalBytes: number;
  matchedBytes: number;
  bytesSent: number;
  bytesReceived: number;
  totalFileSize: number;
}

const STATS_FIELDS: ReadonlyArray<readonly [keyof RsyncStats, RegExp]> = [
  ['files', /^Number of files: (\d[\d,.]*)(?: |$)/],
  ['regularFilesTransferred', /^Number of regular files transferred: (\d[\d,.]*)$/],
  ['literalBytes', /^Literal data: (\d[\d,.]*) bytes/],
  ['matchedBytes', /^Matched data: (\d[\d,.]*) bytes/],
  ['bytesSent', /^Total bytes sent: (\d[\d,.]*)$/],
  ['bytesReceived', /^Total bytes received: (\d[\d,.]*)$/],
  ['totalFileSize', /^Total file size: (\d[\d,.]*) bytes/],
];

// `Number of files: 1,234 (reg: 1,000, dir: 230, link: 4)`
const REGULAR_FILES = /^Number of files: [\d,.]+ \((?:.*, )?reg: (\d[\d,.]*)/;

/** The totals of the `--stats` block, or null when any of them is missing. */
export function parseStats(lines: readonly string[]): RsyncStats | null {
  const found: Partial<RsyncStats> = {};
  for (const line of lines) {
    // Every stats line starts with an upper-case letter; skip the rest cheaply.
    const first = line.charCodeAt(0);
    if (first < 65 || first > 90) continue;
    for (const [field, pattern] of STATS_FIELDS) {
      const m = pattern.exec(line);
      if (m?.[1] !== undefined) {
        found[field] = parseCount(m[1]);
        break;
      }
    }
  }
  // A block cut short (rsync killed) lacks some totals: better none than wrong ones.
  if (STATS_FIELDS.some(([field]) => found[field] === undefined)) return null;
  const reg = lines
    .map((line) => REGULAR_FILES.exec(line)?.[1])
    .find((count) => count !== undefined);
  return { ...(found as RsyncStats), regularFiles: reg === undefined ? null : parseCount(reg) };
}

// `YXcstpoguax name`: Y is the update kind, X the file type, then 9 attribute flags; or a message.
const ITEMIZE_LINE = /^(?:[<>ch.][fdLDS][a-zA-Z.+? ]{9}|\*deleting {2}) ./;

/** Whether the line is one item of `-i` (itemize-changes) output. */
export function isItemizeLine(line: string): boolean {
  return ITEMIZE_LINE.test(line);
}
