/**
 * The app's own dialogs (electron/shared/dialogs.ts) as a test answers them: each question and folder
 * dialog is recorded, and answered from what the test said beforehand, as the user would click.
 * With no answer given, a question is cancelled and a folder dialog too: nothing a test did not
 * allow happens.
 */
import type { AppDialogs, FolderQuestion, Question } from '../../electron/shared/dialogs.js';

export interface AnsweredDialogs extends AppDialogs {
  /** Every question asked, in order. */
  questions: Question[];
  /** Every folder dialog shown, in order. */
  folderDialogs: FolderQuestion[];
  /** The buttons clicked for the next questions, by label ('Cancel', or the question's own). */
  answers: string[];
  /** The folders chosen in the next folder dialogs (null: cancelled). */
  folders: Array<string | null>;
}

export function answeredDialogs(): AnsweredDialogs {
  const dialogs: AnsweredDialogs = {
    questions: [],
    folderDialogs: [],
    answers: [],
    folders: [],
    async ask(question) {
      dialogs.questions.push(question);
      const answer = dialogs.answers.shift() ?? 'Cancel';
      if (answer !== 'Cancel' && answer !== question.confirm) {
        throw new Error(
          `The dialog "${question.message}" has no button "${answer}" (it has Cancel and ${question.confirm}).`,
        );
      }
      return answer === question.confirm;
    },
    async chooseFolder(question) {
      dialogs.folderDialogs.push(question);
      return dialogs.folders.shift() ?? null;
    },
  };
  return dialogs;
}
