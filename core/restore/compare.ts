/**
 * Comparing one version of a text file with the file here: the version is pulled into a private
 * folder (as "open this version" does), refused when it is binary or too large, and compared line
 * by line with the current file.
 */

/** Files larger than this (either side) are not compared: the refusal names the limit. */
export const COMPARE_LIMIT_BYTES = 2 * 1024 * 1024;

/** One line of a hunk: `old`/`new` are its line numbers (1-based) in the version and here. */
export interface ComparedLine {
  /** `same`: in both; `removed`: only in the snapshot's version; `added`: only here. */
  kind: 'same' | 'removed' | 'added';
  text: string;
  old: number | null;
  new: number | null;
  /** The file's last line, which ends without a newline (diff's "\ No newline at end of file"). */
  noNewline: boolean;
}

/** A run of changes with its context, as `diff -u` prints it (`@@ -oldStart,oldLines +newStart,newLines @@`). */
export interface ComparedHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: ComparedLine[];
}

export interface TextComparison {
  /** The snapshot whose version was compared, and the file as it was backed up. */
  snapshot: string;
  path: string;
  /**
   * The current file here: `same` (identical text, no hunks), `differs`, or `missing` (nothing
   * here to compare with: no hunks, and `unified` is empty).
   */
  here: 'same' | 'differs' | 'missing';
  /** Lines in the snapshot's version, and here (0 when missing). */
  oldLineCount: number;
  newLineCount: number;
  /** The snapshot's version is "old" (`-`), the file here "new" (`+`); 3 lines of context. */
  hunks: ComparedHunk[];
  /** The same as `diff -u` text, labelled `PATH (SNAPSHOT)` and `PATH (here)`; '' unless it differs. */
  unified: string;
}
