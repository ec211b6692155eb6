// The post-mortem as the window words and does it: a section's state in a word, what an
// editor opens with (the text and the heads it will replace), a conflict's merge, the
// milestones and durations in a sentence, the datetime field's value and back, the
// timeline to curate, and the exported file's name and dialog. Plain functions of the
// shell's types, tested without a window.

import type {
  FollowUpView,
  MilestoneView,
  PostmortemEntry,
  PostmortemSection,
  PostmortemView,
  TextVersion,
  TollgateView,
} from "./bindings";
import { pickSavePath, type FileFilter } from "./dialog";
import { slugify } from "./slug";
import { localDateTime } from "./time";

// ----- sections -----------------------------------------------------------------------

/** What the section's badge says. */
export function sectionBadge(s: PostmortemSection): string | null {
  switch (s.state) {
    case "from_log":
      return "from the log";
    case "conflict":
      return `conflict: ${s.versions.length} versions`;
    case "empty":
      return s.heads.length > 0 ? "cleared" : "not written";
    default:
      return null;
  }
}

/** What an editor opens with: the text to start from and the heads it will replace. */
export interface EditorStart {
  text: string;
  /** The heads shown when the editor opened: what Save replaces, whatever arrives meanwhile. */
  replaces: string[];
}

/** Edit: the text as it reads now (the log's suggestion too), replacing what stands now. */
export function editStart(s: PostmortemSection): EditorStart {
  return { text: s.text ?? "", replaces: [...s.heads] };
}

/** Every version one after the other, each under who wrote it, for "Merge…". */
export function mergeText(versions: TextVersion[]): string {
  return versions.map((v) => `[${v.author}, ${localDateTime(v.at)}]\n${v.text.trim()}`).join("\n\n");
}

/** Merge…: every version in the editor, replacing every head. */
export function mergeStart(s: PostmortemSection): EditorStart {
  return { text: mergeText(s.versions), replaces: [...s.heads] };
}

/** Keep this one: that version's text, replacing every head (all versions were seen). */
export function keepStart(s: PostmortemSection, version: TextVersion): EditorStart {
  return { text: version.text, replaces: [...s.heads] };
}

// ----- milestones and durations -------------------------------------------------------

/** Where a milestone's time comes from, in a few words. */
export function milestoneSource(m: MilestoneView): string {
  switch (m.source) {
    case "log":
      return m.what ?? "from the log";
    case "set":
      return `set by ${m.set_by ?? "someone"}`;
    default:
      return "not known yet";
  }
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** An RFC 3339 time as a `datetime-local` field's value, in local time (`2026-11-21T14:02`). */
export function toDatetimeLocal(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` field's value (local time) as RFC 3339 in UTC; null when empty or invalid. */
export function fromDatetimeLocal(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value.trim())) return null;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// ----- the timeline -------------------------------------------------------------------

/** The entries to list: hidden ones only when asked. */
export function curatedTimeline(view: PostmortemView, showHidden: boolean): PostmortemEntry[] {
  return showHidden ? view.timeline : view.timeline.filter((e) => !e.hidden);
}

export function hiddenCount(view: PostmortemView): number {
  return view.timeline.filter((e) => e.hidden).length;
}

/** The entry's annotation as one text, when there is one (not while versions disagree). */
export function annotationText(e: PostmortemEntry): string {
  const a = e.annotation;
  if (!a || a.conflict) return "";
  return a.versions[0]?.text ?? "";
}

/** What an annotation editor opens with: one version's text, or every version's; all heads. */
export function annotationStart(e: PostmortemEntry): EditorStart {
  const a = e.annotation;
  const text = !a ? "" : a.conflict ? a.versions.map((v) => v.text.trim()).filter((t) => t !== "").join(" / ") : annotationText(e);
  return { text, replaces: [...e.annotation_heads] };
}

// ----- actions and tollgates ----------------------------------------------------------

/** The actions still to do first, then the rest, each group in the order they were added. */
export function actionsInOrder(actions: FollowUpView[]): FollowUpView[] {
  const closed = (a: FollowUpView) => a.status === "done" || a.status === "wont-do";
  return [...actions.filter((a) => !closed(a)), ...actions.filter(closed)];
}

/** What a tollgate row's editor opens with. */
export function tollgateStart(t: TollgateView): { why: string; ticket: string; replaces: string[] } {
  const [only, ...rest] = t.versions;
  if (!only) return { why: "", ticket: "", replaces: [] };
  if (rest.length === 0) return { why: only.why_missed, ticket: only.ticket ?? "", replaces: [...t.heads] };
  return {
    why: t.versions.map((v) => `${v.why_missed.trim()} (${v.author})`).join(" / "),
    ticket: t.versions.map((v) => v.ticket).find((x) => x) ?? "",
    replaces: [...t.heads],
  };
}

// ----- exporting ----------------------------------------------------------------------

export type ExportFormat = "markdown" | "html" | "email";

export const EXPORT_FORMATS: Array<{ format: ExportFormat; label: string; filter: FileFilter }> = [
  { format: "markdown", label: "Markdown", filter: { name: "Markdown", extensions: ["md"] } },
  { format: "html", label: "HTML", filter: { name: "Web page", extensions: ["html"] } },
  { format: "email", label: "Email", filter: { name: "Plain text", extensions: ["txt"] } },
];

/** `checkout-returns-502-postmortem.md`, `…-postmortem.html`, `…-postmortem-email.txt`. */
export function postmortemFileName(title: string, format: ExportFormat): string {
  const base = `${slugify(title)}-postmortem`;
  switch (format) {
    case "html":
      return `${base}.html`;
    case "email":
      return `${base}-email.txt`;
    default:
      return `${base}.md`;
  }
}

/** Asks where to save the document; null when cancelled (the e2e tests answer it). */
export async function pickPostmortemPath(title: string, format: ExportFormat): Promise<string | null> {
  const filter = EXPORT_FORMATS.find((f) => f.format === format)?.filter;
  return pickSavePath(postmortemFileName(title, format), filter ? [filter] : []);
}
