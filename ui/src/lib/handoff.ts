// Shift handoff as the window words and does it: whether the hub can carry the note
// now, what sending, exporting and importing did, a handoff's state in a sentence, the
// live state beside the note, the bundle's file name and the dialogs around it. Plain
// functions of the shell's types, tested without a window.

import { open } from "@tauri-apps/plugin-dialog";
import {
  acceptHandoff,
  exportHandoff,
  importHandoff,
  sendHandoff,
  type HandoffExported,
  type HandoffImported,
  type HandoffSent,
  type HandoffTaken,
  type HandoffView,
  type IncidentView,
  type SyncStatusView,
  type TimelineEntry,
} from "./bindings";
import { pickSavePath, scriptedAnswer } from "./dialog";
import { hub } from "./refresh";
import { slugify } from "./slug";
import { localClock } from "./time";

// ----- sending ------------------------------------------------------------------------

export interface SendState {
  /** Whether "Send via hub" can be pressed. */
  enabled: boolean;
  /** Why not, or what to keep in mind; empty when all is well. */
  note: string;
}

/** Whether the hub can carry a handoff now, from the sync status. */
export function sendState(status: SyncStatusView | null): SendState {
  if (!status || status.hub_url === null) {
    return {
      enabled: false,
      note: "No hub is connected, so nothing would carry it: export a file and hand that over, or connect a hub on the Hub screen.",
    };
  }
  switch (status.phase) {
    case "offline":
      return {
        enabled: true,
        note: "The hub does not answer right now: the handoff leaves when it does. If it cannot wait, export a file as well.",
      };
    case "failed":
      return {
        enabled: true,
        note: "Sync with the hub is failing (see the Hub screen): export a file as well.",
      };
    default:
      return { enabled: true, note: "" };
  }
}

function hostOf(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
}

/** What the window says after `send_handoff`. */
export function sentMessage(sent: HandoffSent): string {
  const to = sent.handoff.to;
  if (sent.hub_url === null) {
    return `Recorded the handoff to ${to}, but no hub is connected: export a file to hand it over.`;
  }
  return `Sent to ${to} — delivered through ${hostOf(sent.hub_url)} at the next sync.`;
}

/** What the window says after `export_handoff`. */
export function exportedMessage(exported: HandoffExported): string {
  const runbooks = exported.runbooks === 1 ? "1 runbook" : `${exported.runbooks} runbooks`;
  return `Saved the handoff to ${exported.handoff.to} with ${exported.events} events and ${runbooks}: give ${exported.handoff.to} the file.`;
}

// ----- importing ----------------------------------------------------------------------

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What importing a bundle did, in a few sentences (most important first). */
export function importSummary(imported: HandoffImported): string[] {
  const h = imported.handoff;
  const lines = [`“${imported.incident.title}” from ${h.from}, for ${h.to}.`];
  if (imported.auto_accepted) {
    const roles = imported.roles.length > 0 ? ` (${imported.roles.join(", ")} moved to you)` : "";
    lines.push(`You took it over${roles}.`);
  } else if (h.accepted_by !== null) {
    lines.push(`${h.for_me || h.accepted_by === h.to ? "Already taken over" : "Taken over"} by ${h.accepted_by}.`);
  } else if (!h.for_me) {
    lines.push(`It is addressed to ${h.to}, not to you: it waits for them.`);
  }
  const parts = [plural(imported.inserted, "new event")];
  if (imported.already_present > 0) parts.push(`${imported.already_present} already here`);
  if (imported.runbooks_added > 0) parts.push(plural(imported.runbooks_added, "runbook") + " added");
  lines.push(parts.join(", ") + ".");
  return lines;
}

// ----- a handoff in words -------------------------------------------------------------

export type HandoffState = "waiting" | "accepted";

export function handoffState(h: HandoffView): HandoffState {
  return h.accepted_by === null ? "waiting" : "accepted";
}

/** `alice → bob`, with "you" for the app's author. */
export function handoffPeople(h: HandoffView): string {
  return `${h.by_me ? "you" : h.from} → ${h.for_me ? "you" : h.to}`;
}

/** `waiting for bob since 14:02` / `taken over by bob at 14:10`. */
export function handoffStatusText(h: HandoffView): string {
  if (h.accepted_by === null || h.accepted_at === null) {
    return `waiting for ${h.for_me ? "you" : h.to} since ${localClock(h.sent_at)}`;
  }
  return `taken over by ${h.accepted_by} at ${localClock(h.accepted_at)}`;
}

/** Whether the app's author may accept it here (force for one addressed to someone else). */
export function canAccept(h: HandoffView): { accept: boolean; force: boolean } {
  if (h.accepted_by !== null || h.by_me) return { accept: false, force: false };
  return { accept: true, force: !h.for_me };
}

/** The inbox banner's line for one handoff. */
export function inboxLine(h: HandoffView): string {
  const title = h.incident_title || "an incident";
  return `${h.from} handed you “${title}” at ${localClock(h.sent_at)}`;
}

// ----- the live state beside the note -------------------------------------------------

export interface ChecklistProgress {
  done: number;
  skipped: number;
  total: number;
  /** `4 of 9 done, 1 skipped` */
  text: string;
}

export function checklistProgress(view: IncidentView): ChecklistProgress {
  let done = 0;
  let skipped = 0;
  let total = 0;
  for (const run of view.runs) {
    done += run.done;
    skipped += run.skipped;
    total += run.total;
  }
  const text = total === 0 ? "no runbook" : `${done} of ${total} done${skipped > 0 ? `, ${skipped} skipped` : ""}`;
  return { done, skipped, total, text };
}

export interface OpenFindings {
  /** Hypotheses neither confirmed nor ruled out. */
  hypotheses: number;
  /** Actions neither done nor abandoned. */
  actions: number;
  /** What customers were last told, if anything. */
  lastUpdate: TimelineEntry | null;
}

/** Where the responders' thinking stands, from the timeline (retracted entries left out). */
export function openFindings(timeline: TimelineEntry[]): OpenFindings {
  const live = timeline.filter((e) => !e.retracted);
  const updates = live.filter((e) => e.kind === "update");
  return {
    hypotheses: live.filter((e) => e.kind === "hypothesis" && e.outcome === null).length,
    actions: live.filter((e) => e.kind === "action" && e.outcome === null).length,
    lastUpdate: updates[updates.length - 1] ?? null,
  };
}

/** Names a person might hand over to: everyone in the incident's log and roles but me. */
export function peopleIn(view: IncidentView, me: string | null): string[] {
  const names = new Set<string>();
  for (const e of view.timeline) names.add(e.author);
  for (const r of view.roles) names.add(r.person);
  const lower = me?.trim().toLowerCase();
  return [...names].filter((n) => n.trim() !== "" && n.trim().toLowerCase() !== lower).sort((a, b) => a.localeCompare(b));
}

// ----- the bundle file ----------------------------------------------------------------

/** `payments-failing-handoff-to-bob.json` */
export function bundleFileName(title: string, to: string): string {
  const who = slugify(to, 24);
  return `${slugify(title)}-handoff${who && who !== "incident" ? `-to-${who}` : ""}.json`;
}

const BUNDLE_FILTER = [{ name: "Firebreak handoff", extensions: ["json"] }];

/** Asks where to save the bundle (the dialog asks before replacing a file); null when cancelled. */
export async function pickBundleSavePath(defaultName: string): Promise<string | null> {
  return pickSavePath(defaultName, BUNDLE_FILTER);
}

/** Asks which bundle to import; null when cancelled (the tests answer through `lib/dialog`). */
export async function pickBundleOpenPath(): Promise<string | null> {
  const scripted = scriptedAnswer("open");
  if (scripted) return scripted.answer;
  const picked = await open({ multiple: false, directory: false, filters: BUNDLE_FILTER });
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}

// ----- commands as the screens use them -----------------------------------------------

export interface Outgoing {
  incident: string;
  to: string;
  note: string;
}

export function cleanOutgoing(o: Outgoing): Outgoing {
  return { incident: o.incident, to: o.to.trim(), note: o.note };
}

export async function sendViaHub(o: Outgoing): Promise<HandoffSent> {
  const sent = await sendHandoff(cleanOutgoing(o));
  await hub.refreshAll();
  return sent;
}

/** Asks where, then records the handoff and writes the bundle; null when the dialog was cancelled. */
export async function exportToFile(o: Outgoing, title: string): Promise<HandoffExported | null> {
  const clean = cleanOutgoing(o);
  const path = await pickBundleSavePath(bundleFileName(title, clean.to));
  if (!path) return null;
  // The save dialog asked before replacing a file: it is the person's choice.
  const exported = await exportHandoff({ ...clean, path, overwrite: true });
  await hub.refreshAll();
  return exported;
}

/** Asks which bundle, then imports it; null when the dialog was cancelled. */
export async function importFromFile(): Promise<HandoffImported | null> {
  const path = await pickBundleOpenPath();
  if (!path) return null;
  const imported = await importHandoff({ path });
  await hub.refreshAll();
  return imported;
}

export async function takeOver(handoff: string, force = false): Promise<HandoffTaken> {
  const taken = await acceptHandoff({ handoff, force });
  await hub.refreshAll();
  return taken;
}
