// Commands as the screens use them: the arguments built from what the person typed,
// the dialogs around exports and imports, and a refresh of everything on screen after
// each write (the shell's `store-changed` covers only other processes' writes).

import { open, save } from "@tauri-apps/plugin-dialog";
import {
  addNote,
  changeStep,
  exportIncident,
  importRunbooks,
  type AddNote,
  type ImportReport,
  type StepChanged,
  type TimelineEntry,
} from "./bindings";
import { parseKindPrefix, type FindingKind } from "./notekind";
import { hub } from "./refresh";
import { exportFileName } from "./slug";

export interface NoteDraft {
  kind: FindingKind;
  text: string;
  /** The backdating field as typed: `13:30`, `at 13:30`, `10m ago`, or empty. */
  at: string;
  private: boolean;
}

/** `"at 13:30"` → `"13:30"`; empty → null (now). The shell reads and checks the rest. */
export function normalizeAt(at: string): string | null {
  const text = at.trim().replace(/^at\s+/i, "").trim();
  return text === "" ? null : text;
}

/** The `addNote` arguments for a draft; a kind prefix still in the text wins. */
export function noteArgs(incident: string, draft: NoteDraft): AddNote {
  const prefixed = parseKindPrefix(draft.text.trimStart());
  return {
    incident,
    kind: prefixed ? prefixed.kind : draft.kind,
    text: (prefixed ? prefixed.rest : draft.text).trim(),
    at: normalizeAt(draft.at),
    private: draft.private,
  };
}

export async function submitNote(incident: string, draft: NoteDraft): Promise<TimelineEntry> {
  const entry = await addNote(noteArgs(incident, draft));
  void hub.refreshAll();
  return entry;
}

export async function setStepState(
  incident: string,
  ref: string,
  state: "checked" | "skipped" | "open",
  reason: string | null = null,
): Promise<StepChanged> {
  const trimmed = reason?.trim() ?? "";
  const changed = await changeStep({ incident, ref, state, reason: trimmed === "" ? null : trimmed });
  await hub.refreshAll();
  return changed;
}

/** Asks where to save, then writes the Markdown there; null when the dialog was cancelled. */
export async function exportWithDialog(incident: string, title: string): Promise<string | null> {
  const path = await save({
    defaultPath: exportFileName(title),
    filters: [{ name: "Markdown", extensions: ["md"] }],
  });
  if (!path) return null;
  return exportIncident({ incident, path, include_private: false });
}

/** The paths a file or folder dialog returned, as a list (empty when cancelled). */
export function dialogPaths(picked: string | string[] | null): string[] {
  if (picked === null) return [];
  return Array.isArray(picked) ? picked : [picked];
}

export async function pickImportPaths(what: "files" | "folder"): Promise<string[]> {
  const picked =
    what === "files"
      ? await open({ multiple: true, filters: [{ name: "Markdown", extensions: ["md", "markdown"] }] })
      : await open({ directory: true });
  return dialogPaths(picked);
}

export async function importPaths(paths: string[]): Promise<ImportReport | null> {
  const clean = paths.map((p) => p.trim()).filter((p) => p !== "");
  if (clean.length === 0) return null;
  const report = await importRunbooks({ paths: clean });
  void hub.refreshAll();
  return report;
}
