// The native file dialogs, with the seam the end-to-end tests answer them through.
//
// The end-to-end tests cannot click through the platform's native file dialogs, so they
// answer them by setting `window.__FIREBREAK_E2E_DIALOG__ = { save, open }` (a path, or
// null for Cancel) before pressing the button. Nothing else sets it; a page that could
// set it could call the commands directly anyway.

import { save } from "@tauri-apps/plugin-dialog";

export interface DialogAnswers {
  save?: string | null;
  open?: string | null;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** The scripted answer for the next dialog of this kind, if a test set one. */
export function scriptedAnswer(which: keyof DialogAnswers): { answer: string | null } | null {
  const answers = (globalThis as { __FIREBREAK_E2E_DIALOG__?: DialogAnswers }).__FIREBREAK_E2E_DIALOG__;
  if (!answers || !(which in answers)) return null;
  return { answer: answers[which] ?? null };
}

/** Asks where to save (the dialog asks before replacing a file); null when cancelled. */
export async function pickSavePath(defaultName: string, filters: FileFilter[]): Promise<string | null> {
  const scripted = scriptedAnswer("save");
  if (scripted) return scripted.answer;
  return save({ defaultPath: defaultName, filters });
}
