/**
 * The app's own dialogs, shown by the main process over a window: the only place where the user's
 * yes to a change that matters, or their choice of a folder, can come from. A window's page can
 * ask for them, but never answer them: the handlers that change hooks, the destination, trusted
 * host keys or files here wait for these answers, so that a page gone bad can do no more than the
 * user allows. No `electron` import: ipc.ts gives the real dialogs, the window tests their own.
 */

/** A question the user answers with the confirming button or Cancel. */
export interface Question {
  title: string;
  /** The question itself, in one sentence. */
  message: string;
  /** What changes, in words, line by line: old → new, commands in full. */
  detail: string;
  /** The confirming button's label ("Save", "Trust", "Restore"); the other one is Cancel. */
  confirm: string;
  /** A warning sign instead of a question mark: for what lets code run or someone in. */
  warning?: boolean;
}

export interface FolderQuestion {
  title: string;
  /** Whether the dialog offers to make a new folder. */
  createFolders: boolean;
}

export interface AppDialogs {
  /** True only when the user chose the confirming button. */
  ask(question: Question): Promise<boolean>;
  /** The folder the user chose, or null when they cancelled. */
  chooseFolder(question: FolderQuestion): Promise<string | null>;
}

/** At most this many lines of a list go into a dialog; the rest are counted. */
export const DIALOG_LIST_LIMIT = 12;

/** Lines of a list for a dialog's detail, each indented, the rest counted. */
export function listLines(items: readonly string[], limit = DIALOG_LIST_LIMIT): string[] {
  const shown = items.slice(0, limit).map((item) => `  ${item}`);
  const more = items.length - shown.length;
  return more > 0 ? [...shown, `  … and ${more} more`] : shown;
}
