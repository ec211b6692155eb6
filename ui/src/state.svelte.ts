// What the whole app shares: which screen is showing, which incident the workspace
// holds, the error banner, the last import report, and focus requests that travel
// from the global shortcuts to the component that owns the field. (The sync status
// lives in `sync.svelte.ts`.)

import type { AppInfo, ImportReport, IncidentView } from "./lib/bindings";
import { importPaths } from "./lib/actions";
import { toUiError, type UiError } from "./lib/errors";
import { resetSync } from "./sync.svelte";
import { handoffs, resetHandoffs } from "./handoff.svelte";
import { resetPostmortem } from "./postmortem.svelte";

export type Screen = "workspace" | "incidents" | "runbooks" | "hub" | "handoff" | "postmortem";

export const SCREENS: Array<{ id: Screen; label: string; key: string }> = [
  { id: "workspace", label: "Workspace", key: "w" },
  { id: "incidents", label: "Incidents", key: "i" },
  { id: "runbooks", label: "Runbooks", key: "r" },
  { id: "hub", label: "Hub", key: "h" },
  { id: "handoff", label: "Handoff", key: "o" },
  { id: "postmortem", label: "Post-mortem", key: "p" },
];

function initial() {
  return {
    screen: "workspace" as Screen,
    /** The incident the workspace shows; null: the most recently started open one. */
    incident: null as string | null,
    /** The workspace's last view: shown at once when the workspace mounts again. */
    lastView: null as IncidentView | null,
    info: null as AppInfo | null,
    banner: null as UiError | null,
    helpOpen: false,
    importReport: null as ImportReport | null,
    /** Files are being dragged over the window. */
    dragging: false,
    /** The note bar should take focus as soon as it is there. */
    noteFocus: false,
    /** Bumped after our own note so the timeline scrolls to its end. */
    timelineFollow: 0,
    /** The start form's title should take focus as soon as it is there. */
    startFocus: false,
    /** A placeholder to give a value to: the variables panel takes it and focuses. */
    variableFocus: null as string | null,
    isMac: false,
  };
}

export const app = $state(initial());

/** Back to how the app starts (tests mount the app many times in one page). */
export function resetApp(): void {
  Object.assign(app, initial());
  Object.assign(importing, { busy: false, error: null });
  resetSync();
  resetHandoffs();
  resetPostmortem();
  screenKeys = null;
  answerApproval(false);
}

export function go(screen: Screen): void {
  app.screen = screen;
}

export function openIncident(id: string): void {
  app.incident = id;
  app.screen = "workspace";
}

/** The handoff screen for `incident`, with the handoff `id` opened (the banner's Open). */
export function openHandoff(incident: string, id: string | null = null): void {
  app.incident = incident;
  handoffs.open = id;
  app.screen = "handoff";
}

/** Focus the note bar: the workspace's if there is an incident, else start one. */
export function focusNote(): void {
  app.helpOpen = false;
  if (app.incident === null) {
    app.screen = "incidents";
    app.startFocus = true;
  } else {
    app.screen = "workspace";
    app.noteFocus = true;
  }
}

/** Shows an error that has no better place in the banner under the navigation. */
export function showError(e: unknown): void {
  app.banner = toUiError(e);
}

type KeyHandler = (e: KeyboardEvent) => boolean;
let screenKeys: KeyHandler | null = null;

/** The current screen's own keys (the checklist's j/k/x/s/o); returns an unregister. */
export function setScreenKeys(handler: KeyHandler): () => void {
  screenKeys = handler;
  return () => {
    if (screenKeys === handler) screenKeys = null;
  };
}

export function dispatchScreenKey(e: KeyboardEvent): boolean {
  return screenKeys ? screenKeys(e) : false;
}

export const importing = $state({
  busy: false,
  error: null as UiError | null,
});

/** Imports files or folders and shows the report on the Runbooks screen. */
export async function importAndShow(paths: string[]): Promise<void> {
  const clean = paths.map((p) => p.trim()).filter((p) => p !== "");
  if (clean.length === 0) return;
  app.screen = "runbooks";
  importing.busy = true;
  importing.error = null;
  try {
    const report = await importPaths(clean);
    if (report) app.importReport = report;
  } catch (e) {
    importing.error = toUiError(e);
  } finally {
    importing.busy = false;
  }
}

/**
 * The approval dialog: a runbook's probe would reach a loopback, link-local or
 * metadata host, and the shell wants the person's yes first. One question at a time;
 * a new one answers the previous with no.
 */
export const approval = $state({ message: null as string | null });
let approvalAnswer: ((yes: boolean) => void) | null = null;

export function askApproval(message: string): Promise<boolean> {
  answerApproval(false);
  approval.message = message;
  return new Promise((resolve) => {
    approvalAnswer = resolve;
  });
}

export function answerApproval(yes: boolean): void {
  const answer = approvalAnswer;
  approvalAnswer = null;
  approval.message = null;
  answer?.(yes);
}
