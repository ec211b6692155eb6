// What the Post-mortem screen's parts share: the draft as the shell last answered it
// (loaded when the screen shows, again on every `store-changed` — a teammate's edit
// pulled from the hub, the CLI — and on every `sync-changed`), the section editors that
// are open (their text and the heads they opened with, kept while the person looks at
// another screen), and the changes, each answered with the new draft. No polling.

import { listen } from "@tauri-apps/api/event";
import {
  exportPostmortem,
  postmortemAddAction,
  postmortemAnnotate,
  postmortemChangeAction,
  postmortemEditSection,
  postmortemMark,
  postmortemRecordTollgate,
  postmortemSetMilestone,
  postmortemView,
  type AddPostmortemAction,
  type ChangePostmortemAction,
  type PostmortemView,
  type RecordTollgate,
} from "./lib/bindings";
import type { UiError } from "./lib/errors";
import { pickPostmortemPath, type EditorStart, type ExportFormat } from "./lib/postmortem";
import { liveQuery, type RefreshHub, hub as refreshHub } from "./lib/refresh";
import { SYNC_CHANGED } from "./sync.svelte";

function initial() {
  return {
    view: null as PostmortemView | null,
    error: null as UiError | null,
    loaded: false,
    /** Open section editors by `incident/section`: what is typed and the heads it replaces. */
    editors: {} as Record<string, EditorStart>,
    showHidden: false,
  };
}

export const postmortem = $state(initial());

export function resetPostmortem(): void {
  Object.assign(postmortem, initial());
}

export function editorKey(incident: string, section: string): string {
  return `${incident}/${section}`;
}

/** Opens (or replaces) a section's editor. */
export function openEditor(incident: string, section: string, start: EditorStart): void {
  postmortem.editors[editorKey(incident, section)] = { text: start.text, replaces: [...start.replaces] };
}

/** What is typed in a section's editor (the heads it replaces stay as they were). */
export function typeInEditor(incident: string, section: string, text: string): void {
  const editor = postmortem.editors[editorKey(incident, section)];
  if (editor) editor.text = text;
}

export function closeEditor(incident: string, section: string): void {
  delete postmortem.editors[editorKey(incident, section)];
}

/**
 * Follows the draft of the incident `incident()` names (null: the open one) until the
 * returned function is called.
 */
export async function followPostmortem(
  incident: () => string | null,
  listenFn: typeof listen = listen,
  registry: RefreshHub = refreshHub,
): Promise<{ refresh: () => Promise<void>; stop: () => void }> {
  const query = liveQuery(
    () => postmortemView({ incident: incident() }),
    (v) => {
      postmortem.view = v;
      postmortem.error = null;
      postmortem.loaded = true;
    },
    (e) => {
      postmortem.error = e;
      postmortem.loaded = true;
      if (e.code === "no_open_incident" || e.code === "unknown_incident") postmortem.view = null;
    },
    registry,
  );
  let unlisten: () => void;
  try {
    unlisten = await listenFn(SYNC_CHANGED, () => void query.refresh());
  } catch (e) {
    query.stop();
    throw e;
  }
  return {
    refresh: query.refresh,
    stop: () => {
      unlisten();
      query.stop();
    },
  };
}

/** Shows the draft a change answered with, and refreshes the rest (sync's pending count). */
async function changed(view: Promise<PostmortemView>): Promise<PostmortemView> {
  const v = await view;
  if (postmortem.view === null || postmortem.view.incident === v.incident) postmortem.view = v;
  void refreshHub.refreshAll();
  return v;
}

/** Saves a section: the text replaces the heads the editor opened with, nothing else. */
export async function saveSection(incident: string, section: string, text: string, replaces: string[]): Promise<PostmortemView> {
  const v = await changed(postmortemEditSection({ incident, section, text, replaces: [...replaces] }));
  closeEditor(incident, section);
  return v;
}

export function markEntry(incident: string, entry: string, mark: "star" | "unstar" | "hide" | "show"): Promise<PostmortemView> {
  return changed(postmortemMark({ incident, entry, mark }));
}

export function annotateEntry(incident: string, entry: string, text: string, replaces: string[]): Promise<PostmortemView> {
  return changed(postmortemAnnotate({ incident, entry, text, replaces: [...replaces] }));
}

export function addAction(args: AddPostmortemAction): Promise<PostmortemView> {
  return changed(postmortemAddAction(args));
}

export function changeAction(args: ChangePostmortemAction): Promise<PostmortemView> {
  return changed(postmortemChangeAction(args));
}

export function recordTollgate(args: RecordTollgate): Promise<PostmortemView> {
  return changed(postmortemRecordTollgate({ ...args, replaces: [...args.replaces] }));
}

export function setMilestone(incident: string, milestone: string, at: string | null): Promise<PostmortemView> {
  return changed(postmortemSetMilestone({ incident, milestone, at }));
}

/** Asks where, then writes the document; null when the dialog was cancelled. */
export async function exportDocument(incident: string, title: string, format: ExportFormat): Promise<string | null> {
  const path = await pickPostmortemPath(title, format);
  if (!path) return null;
  // The save dialog asked before replacing a file: it is the person's choice.
  return exportPostmortem({ incident, format, path, overwrite: true });
}
