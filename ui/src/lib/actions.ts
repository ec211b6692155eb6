// Commands as the screens use them: the arguments built from what the person typed,
// the dialogs around exports and imports, and a refresh of everything on screen after
// each write (the shell's `store-changed` covers only other processes' writes).

import { open, save } from "@tauri-apps/plugin-dialog";
import {
  addNote,
  changeStep,
  checkTarget,
  exportIncident,
  importRunbooks,
  runProbes,
  setVariable,
  startWatch,
  stopWatch,
  type AddNote,
  type ImportReport,
  type ProbesStarted,
  type StepChanged,
  type TimelineEntry,
  type WatchView,
} from "./bindings";
import { hasCode } from "./errors";
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

// ----- probes ----------------------------------------------------------------------------
// Probes run in the background: each command returns at once (with the keys started),
// and the results arrive through `store-changed`. A refresh right after shows them as
// running.

/** Asks the person whether to go on (the approval dialog); resolves true for yes. */
export type AskApproval = (message: string) => Promise<boolean>;

/**
 * Runs `call` without approval first; when the shell answers `needs_approval` (a
 * runbook's probe reaches a loopback, link-local or metadata host), asks, and on yes
 * sends the same request again with `approve: true`. Null when the person said no.
 */
export async function withApproval<T>(call: (approve: boolean) => Promise<T>, ask: AskApproval): Promise<T | null> {
  try {
    return await call(false);
  } catch (e) {
    if (!hasCode(e, "needs_approval")) throw e;
    const message = (e as { message: string }).message;
    if (!(await ask(message))) return null;
    return call(true);
  }
}

/** Runs one runbook probe, by its key (the Run button of a probe block). */
export async function runProbe(incident: string, key: string, ask: AskApproval): Promise<ProbesStarted | null> {
  const started = await withApproval(
    (approve) => runProbes({ incident, key, ref: null, run: null, section: null, profile: null, approve }),
    ask,
  );
  await hub.refreshAll();
  return started;
}

/** Runs the probes of one section of a run (the section's Run all). */
export async function runSectionProbes(
  incident: string,
  run: string,
  section: number,
  ask: AskApproval,
): Promise<ProbesStarted | null> {
  const started = await withApproval(
    (approve) => runProbes({ incident, key: null, ref: null, run, section, profile: null, approve }),
    ask,
  );
  await hub.refreshAll();
  return started;
}

/** Probes a typed target (the probe box). The person typed it: no approval needed. */
export async function checkAdhoc(incident: string, target: string): Promise<ProbesStarted> {
  const started = await checkTarget({ incident, target: target.trim() });
  await hub.refreshAll();
  return started;
}

/** Starts watching a runbook probe every `everySecs` seconds. */
export async function watchProbe(
  incident: string,
  key: string,
  everySecs: number,
  ask: AskApproval,
): Promise<WatchView | null> {
  const watch = await withApproval(
    (approve) => startWatch({ incident, key, target: null, every_secs: everySecs, profile: null, approve }),
    ask,
  );
  await hub.refreshAll();
  return watch;
}

export async function endWatch(id: string): Promise<void> {
  await stopWatch({ id });
  await hub.refreshAll();
}

/** Sets an incident variable; an empty value or null removes it. */
export async function setIncidentVariable(incident: string, name: string, value: string | null): Promise<void> {
  const trimmed = value?.trim() ?? "";
  await setVariable({ incident, name: name.trim(), value: trimmed === "" ? null : trimmed });
  await hub.refreshAll();
}
