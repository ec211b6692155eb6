// The fake shell's post-mortem: every change kept as the store keeps them (one edit
// each, never updated), and the draft folded from them and the incident on each view,
// with the same register rule as the core: a version stands until an edit replaces
// it, so versions written apart stand side by side. Much simpler than the real fold
// (no clock correction, a rough prefill, a short Markdown), enough for the demo and
// the UI's tests.

import type {
  ApiError,
  ErrorCode,
  FollowUpView,
  MilestoneView,
  PostmortemEntry,
  PostmortemSection,
  PostmortemView,
  TextVersion,
  TimelineEntry,
  TollgateView,
} from "../src/lib/bindings";

function fail(code: ErrorCode, message: string): never {
  const error: ApiError = { code, message };
  throw error;
}

/** What the fake post-mortem needs of an incident. */
export interface PostmortemIncident {
  id: string;
  title: string;
  severity: string | null;
  status: string;
  roles: Map<string, string>;
  timeline: TimelineEntry[];
}

const SECTIONS: Array<[string, string, string]> = [
  ["summary", "Summary", "Two or three sentences: what broke, for whom, for how long."],
  ["impact", "Impact", "Who was affected and how: users, requests, revenue, data."],
  ["issue-reported", "The issue as reported", "The problem as it first reached us, in the reporter's words."],
  ["detection", "Detection", "How we found out, and how we could have found out sooner."],
  ["root-causes", "Root causes", "Why it happened, down to the cause we can fix."],
  ["contributing-factors", "Contributing factors", "What made it worse or slower to fix."],
  ["mitigation", "Mitigation and resolution", "What stopped the bleeding, and what brought service back."],
  ["went-well", "What went well", "What worked and should stay."],
  ["went-wrong", "What went wrong", "What hurt and should change."],
  ["got-lucky", "Where we got lucky", "What saved us that we cannot count on next time."],
  ["supporting-data", "Notes on the data", "Graphs, queries and probe results worth keeping."],
];

const MILESTONES: Array<[string, string]> = [
  ["began", "Impact began"],
  ["detected", "Detected"],
  ["mitigated", "Mitigated"],
  ["resolved", "Resolved"],
];

const STATUS_LABELS: Record<string, string> = {
  open: "open",
  "in-progress": "in progress",
  done: "done",
  "wont-do": "won't do",
};

const DEFAULT_GATES = ["Unit tests", "Integration / UAT", "Post-release checkouts"];

type Change =
  | { op: "section"; section: string; text: string; replaces: string[] }
  | { op: "mark"; entry: string; mark: string }
  | { op: "annotate"; entry: string; text: string; replaces: string[] }
  | { op: "action_added"; class: string; text: string; owner: string | null; ticket: string | null }
  | { op: "action_changed"; action: string; status: string | null; owner: string | null; ticket: string | null; text: string | null }
  | { op: "tollgate"; gate: string; why_missed: string; ticket: string | null; replaces: string[] }
  | { op: "milestone"; milestone: string; at: string | null };

interface Edit {
  id: string;
  incident: string;
  author: string;
  at: string;
  change: Change;
}

function gateKey(gate: string): string {
  return gate.toLowerCase().replace(/\//g, " / ").split(/\s+/).filter(Boolean).join(" ");
}

/** The versions no other edit of the same register replaces, in log order. */
function standing<T extends Edit>(edits: T[], replaces: (e: T) => string[]): T[] {
  const replaced = new Set(edits.flatMap(replaces));
  return edits.filter((e) => !replaced.has(e.id));
}

export class FakePostmortems {
  readonly edits: Edit[] = [];

  constructor(
    private readonly newId: () => string,
    private readonly now: () => string,
    private readonly render: (markdown: string) => string,
  ) {}

  private append(incident: PostmortemIncident, author: string, change: Change): Edit {
    const edit = { id: this.newId(), incident: incident.id, author, at: this.now(), change };
    this.edits.push(edit);
    return edit;
  }

  private of(incident: PostmortemIncident): Edit[] {
    return this.edits.filter((e) => e.incident === incident.id);
  }

  private checkEntry(incident: PostmortemIncident, id: string): string {
    const entry = incident.timeline.find((e) => e.id === id || e.id.endsWith(id));
    if (!entry) {
      if (this.edits.some((e) => e.id === id)) fail("rejected", `event ${id} is not a timeline entry`);
      fail("unknown_event", `no event ${id}`);
    }
    return entry.id;
  }

  private checkReplaces(incident: PostmortemIncident, ids: string[], same: (c: Change) => boolean): string[] {
    for (const id of ids) {
      const edit = this.of(incident).find((e) => e.id === id);
      if (!edit) fail("unknown_event", `no event ${id}`);
      if (!same(edit.change)) fail("rejected", `event ${id} is not a version of this`);
    }
    return [...ids];
  }

  /** Handles one post-mortem command; undefined when `cmd` is not one. */
  handle(cmd: string, args: Record<string, unknown>, incident: () => PostmortemIncident, author: string): unknown {
    switch (cmd) {
      case "postmortem_view":
        return this.view(incident());
      case "postmortem_edit_section": {
        const section = String(args.section ?? "");
        if (!SECTIONS.some(([s]) => s === section)) fail("invalid_input", `section ${JSON.stringify(section)}: not a section`);
        const inc = incident();
        const replaces = this.checkReplaces(inc, (args.replaces as string[]) ?? [], (c) => c.op === "section" && c.section === section);
        this.append(inc, author, { op: "section", section, text: String(args.text ?? ""), replaces });
        return this.view(inc);
      }
      case "postmortem_mark": {
        const mark = String(args.mark ?? "");
        if (!["star", "unstar", "hide", "show"].includes(mark)) fail("invalid_input", `mark ${JSON.stringify(mark)}: expected one of star, unstar, hide, show`);
        const inc = incident();
        this.append(inc, author, { op: "mark", entry: this.checkEntry(inc, String(args.entry ?? "")), mark });
        return this.view(inc);
      }
      case "postmortem_annotate": {
        const inc = incident();
        const entry = this.checkEntry(inc, String(args.entry ?? ""));
        const replaces = this.checkReplaces(inc, (args.replaces as string[]) ?? [], (c) => c.op === "annotate" && c.entry === entry);
        this.append(inc, author, { op: "annotate", entry, text: String(args.text ?? "").trim(), replaces });
        return this.view(inc);
      }
      case "postmortem_add_action": {
        const text = String(args.text ?? "").trim();
        const kind = String(args.class ?? "");
        if (!["corrective", "preventive"].includes(kind)) fail("invalid_input", `action type ${JSON.stringify(kind)}: corrective or preventive`);
        if (!text) fail("rejected", "the action is empty");
        const inc = incident();
        const blank = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
        this.append(inc, author, { op: "action_added", class: kind, text, owner: blank(args.owner), ticket: blank(args.ticket) });
        return this.view(inc);
      }
      case "postmortem_change_action": {
        const status = (args.status as string | null) ?? null;
        const normal = status?.replace(/_/g, "-") ?? null;
        if (normal !== null && !(normal in STATUS_LABELS)) fail("invalid_input", `action status ${JSON.stringify(status)}`);
        const inc = incident();
        const action = String(args.action ?? "");
        const added = this.of(inc).find((e) => e.id === action);
        if (!added) fail("unknown_event", `no event ${action}`);
        if (added.change.op !== "action_added") fail("rejected", `event ${action} is not a post-mortem action`);
        this.append(inc, author, {
          op: "action_changed",
          action,
          status: normal,
          owner: (args.owner as string | null) ?? null,
          ticket: (args.ticket as string | null) ?? null,
          text: (args.text as string | null) ?? null,
        });
        return this.view(inc);
      }
      case "postmortem_record_tollgate": {
        const gate = String(args.gate ?? "").trim();
        const why = String(args.why_missed ?? "").trim();
        if (!gate) fail("rejected", "the tollgate's name is empty");
        if (!why) fail("rejected", "why the tollgate missed it is empty");
        const inc = incident();
        const replaces = this.checkReplaces(
          inc,
          (args.replaces as string[]) ?? [],
          (c) => c.op === "tollgate" && gateKey(c.gate) === gateKey(gate),
        );
        const ticket = typeof args.ticket === "string" && args.ticket.trim() !== "" ? args.ticket.trim() : null;
        this.append(inc, author, { op: "tollgate", gate, why_missed: why, ticket, replaces });
        return this.view(inc);
      }
      case "postmortem_set_milestone": {
        const milestone = String(args.milestone ?? "");
        if (!MILESTONES.some(([m]) => m === milestone)) fail("invalid_input", `milestone ${JSON.stringify(milestone)}`);
        const at = (args.at as string | null) ?? null;
        if (at !== null && Number.isNaN(new Date(at).getTime())) fail("invalid_input", `time ${JSON.stringify(at)}: expected RFC 3339`);
        const inc = incident();
        this.append(inc, author, { op: "milestone", milestone, at: at === null ? null : new Date(at).toISOString() });
        return this.view(inc);
      }
      default:
        return undefined;
    }
  }

  /** The Markdown the export writes. */
  markdown(inc: PostmortemIncident): string {
    return this.view(inc).markdown;
  }

  private version(e: Edit, text: string): TextVersion {
    return { id: e.id, author: e.author, at: e.at, text, html: this.render(text) };
  }

  view(inc: PostmortemIncident): PostmortemView {
    const edits = this.of(inc);
    const authors = [...new Set(edits.map((e) => e.author))];
    const sections: PostmortemSection[] = SECTIONS.map(([name, title, prompt]) => {
      const mine = edits.filter((e) => e.change.op === "section" && e.change.section === name);
      const stand = standing(mine, (e) => (e.change.op === "section" ? e.change.replaces : []));
      const text = (e: Edit) => (e.change.op === "section" ? e.change.text : "");
      const heads = stand.map((e) => e.id);
      const editors = [...new Set(mine.map((e) => e.author))];
      const base = { section: name, title, prompt, heads, editors };
      if (stand.length > 1) {
        return { ...base, state: "conflict", text: null, html: null, versions: stand.map((e) => this.version(e, text(e))) };
      }
      const only = stand[0];
      if (only && text(only).trim() !== "") {
        return { ...base, state: "written", text: text(only), html: this.render(text(only)), versions: [this.version(only, text(only))] };
      }
      if (!only && name === "summary") {
        const fromLog = `${inc.title}. Status: ${inc.status}.`;
        return { ...base, state: "from_log", text: fromLog, html: this.render(fromLog), versions: [] };
      }
      return { ...base, state: "empty", text: null, html: null, versions: [] };
    });

    const flags = new Map<string, { starred: boolean; hidden: boolean }>();
    for (const e of edits) {
      if (e.change.op !== "mark") continue;
      const f = flags.get(e.change.entry) ?? { starred: false, hidden: false };
      if (e.change.mark === "star") f.starred = true;
      if (e.change.mark === "unstar") f.starred = false;
      if (e.change.mark === "hide") f.hidden = true;
      if (e.change.mark === "show") f.hidden = false;
      flags.set(e.change.entry, f);
    }
    const timeline: PostmortemEntry[] = inc.timeline
      .filter((t) => !t.private && !t.retracted)
      .map((t) => {
        const f = flags.get(t.id) ?? { starred: false, hidden: false };
        const notes = edits.filter((e) => e.change.op === "annotate" && e.change.entry === t.id);
        const stand = standing(notes, (e) => (e.change.op === "annotate" ? e.change.replaces : []));
        const text = (e: Edit) => (e.change.op === "annotate" ? e.change.text : "");
        const shown = stand.some((e) => text(e) !== "");
        const key =
          t.kind === "incident_started"
            ? "first report"
            : t.kind === "update"
              ? "customer update"
              : t.kind === "action"
                ? "mitigation"
                : null;
        const listed = !["step_checked", "step_skipped", "step_reopened", "runbook_run_started", "probe"].includes(t.kind);
        return {
          id: t.id,
          short_id: t.short_id,
          at: t.at,
          offset_ms: null,
          skewed: false,
          author: t.author,
          source: t.is_finding ? "note" : t.kind.startsWith("step") || t.kind === "runbook_run_started" ? "checklist" : "status",
          kind: t.kind,
          text: t.text,
          key,
          starred: f.starred,
          hidden: f.hidden,
          in_document: (listed || key !== null || f.starred) && !f.hidden,
          annotation: shown
            ? { versions: stand.map((e) => this.version(e, text(e))), heads: stand.map((e) => e.id), conflict: stand.length > 1 }
            : null,
          annotation_heads: stand.map((e) => e.id),
        };
      });

    const actions: FollowUpView[] = [];
    for (const e of edits) {
      const c = e.change;
      if (c.op === "action_added") {
        actions.push({
          id: e.id,
          short_id: e.id.slice(-8),
          class: c.class,
          text: c.text,
          owner: c.owner,
          ticket: c.ticket,
          status: "open",
          status_label: "open",
          added_by: e.author,
          at: e.at,
        });
      } else if (c.op === "action_changed") {
        const a = actions.find((x) => x.id === c.action);
        if (!a) continue;
        if (c.status) {
          a.status = c.status;
          a.status_label = STATUS_LABELS[c.status] ?? c.status;
        }
        if (c.owner !== null) a.owner = c.owner.trim() || null;
        if (c.ticket !== null) a.ticket = c.ticket.trim() || null;
        if (c.text !== null && c.text.trim() !== "") a.text = c.text;
      }
    }

    const gates = [...DEFAULT_GATES];
    for (const e of edits) {
      if (e.change.op === "tollgate" && !gates.some((g) => gateKey(g) === gateKey((e.change as { gate: string }).gate))) {
        gates.push(e.change.gate);
      }
    }
    const tollgates: TollgateView[] = gates.map((gate) => {
      const mine = edits.filter((e) => e.change.op === "tollgate" && gateKey(e.change.gate) === gateKey(gate));
      const stand = standing(mine, (e) => (e.change.op === "tollgate" ? e.change.replaces : []));
      return {
        gate,
        versions: stand.map((e) => ({
          id: e.id,
          author: e.author,
          at: e.at,
          why_missed: e.change.op === "tollgate" ? e.change.why_missed : "",
          ticket: e.change.op === "tollgate" ? e.change.ticket : null,
        })),
        heads: stand.map((e) => e.id),
      };
    });

    const started = inc.timeline.find((t) => t.kind === "incident_started")?.at ?? null;
    const milestones: MilestoneView[] = MILESTONES.map(([milestone, label]) => {
      const set = edits.filter((e) => e.change.op === "milestone" && e.change.milestone === milestone).at(-1);
      if (set && set.change.op === "milestone" && set.change.at) {
        return { milestone, label, at: set.change.at, source: "set", what: null, set_by: set.author };
      }
      if ((milestone === "began" || milestone === "detected") && started) {
        return { milestone, label, at: started, source: "log", what: "the incident was opened", set_by: null };
      }
      return { milestone, label, at: null, source: "unknown", what: null, set_by: null };
    });
    const at = (m: string) => milestones.find((x) => x.milestone === m)?.at ?? null;
    const durations = [
      ["detect", "Time to detect", "detected"],
      ["mitigate", "Time to mitigate", "mitigated"],
      ["resolve", "Time to resolve", "resolved"],
    ].map(([to, label, m]) => {
      const began = at("began");
      const then = at(m as string);
      const secs = began && then ? Math.max(0, Math.round((Date.parse(then) - Date.parse(began)) / 1000)) : null;
      return { to: to as string, label: label as string, secs, text: secs === null ? null : `${Math.floor(secs / 60)}m` };
    });

    const responders = [...new Set(inc.timeline.map((t) => t.author))].map((name) => ({
      name,
      roles: [...inc.roles.entries()].filter(([, p]) => p === name).map(([r]) => r),
    }));
    const conflicts =
      sections.filter((s) => s.state === "conflict").length +
      timeline.filter((t) => t.annotation?.conflict).length +
      tollgates.filter((t) => t.versions.length > 1).length;

    const lines = [`# Post-mortem: ${inc.title}`, ""];
    for (const s of sections) {
      lines.push(`## ${s.title}`, "");
      if (s.state === "conflict") s.versions.forEach((v, i) => lines.push(`**Version ${i + 1} — ${v.author}**`, "", v.text, ""));
      else lines.push(s.text ?? `_Not written yet. ${s.prompt}_`, "");
    }
    lines.push("## Timeline", "");
    for (const t of timeline.filter((x) => x.in_document)) lines.push(`- ${t.starred ? "★ " : ""}**${t.at.slice(11, 16)}** ${t.author} — ${t.text}`);
    lines.push("", "## Corrective and preventive actions", "");
    for (const a of actions) lines.push(`| ${a.text} | ${a.class} | ${a.owner ?? "—"} | ${a.ticket ?? "—"} | ${a.status_label} |`);
    const markdown = lines.join("\n").trimEnd();

    return {
      incident: inc.id,
      short_id: inc.id.slice(-8),
      title: inc.title,
      severity: inc.severity,
      status: inc.status,
      milestones,
      durations,
      authors,
      responders,
      sections,
      timeline,
      actions,
      tollgates,
      probes: [],
      conflicts,
      markdown,
      markdown_html: this.render(markdown),
    };
  }
}
