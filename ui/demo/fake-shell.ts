// An in-memory stand-in for the Tauri shell: every command of bindings.ts over a tiny
// store, for `npm run demo` (the UI in a plain browser) and for the UI's tests. It
// follows the shell's contract (argument shapes, ApiError codes, the event names) but
// none of its storage: nothing here is durable.

import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type {
  ApiError,
  AppInfo,
  BlockView,
  ErrorCode,
  ImportReport,
  IncidentSummary,
  IncidentView,
  RunView,
  RunbookHit,
  RunbookPreview,
  RunbookSummary,
  StepView,
  TimelineEntry,
} from "../src/lib/bindings";
import { DEMO_RUNBOOKS, type DemoRunbook } from "./runbooks";

const FINDINGS = ["note", "observation", "hypothesis", "decision", "action"];
const LABELS: Record<string, string> = {
  incident_started: "started",
  runbook_run_started: "runbook",
  step_checked: "checked",
  step_skipped: "skipped",
  step_reopened: "reopened",
  status_changed: "status",
  severity_changed: "severity",
  role_assigned: "role",
};

function fail(code: ErrorCode, message: string): never {
  const error: ApiError = { code, message };
  throw error;
}

interface StepState {
  state: string;
  by: string | null;
  at: string | null;
  reason: string | null;
}

interface Run {
  run: string;
  runbook: DemoRunbook;
  started_at: string;
  started_by: string;
  steps: Map<string, StepState>;
}

interface Incident {
  id: string;
  title: string;
  status: string;
  severity: string | null;
  roles: Map<string, string>;
  started_at: string;
  started_by: string;
  status_reached: Array<{ status: string; at: string }>;
  runs: Run[];
  timeline: TimelineEntry[];
}

export interface FakeShellOptions {
  now?: () => number;
  author?: string;
  /** Start with an incident under way (for the demo). */
  seed?: boolean;
}

let counter = 0;
function newId(): string {
  counter += 1;
  const tail = (Date.now().toString(16) + counter.toString(16).padStart(6, "0")).slice(-12);
  return `0192f3c4-7a1b-7c2d-8e3f-${tail.padStart(12, "0")}`;
}

export class FakeShell {
  readonly calls: Array<{ cmd: string; args: unknown }> = [];
  author: string;
  incidents: Incident[] = [];
  runbooks: DemoRunbook[] = [...DEMO_RUNBOOKS];
  private readonly now: () => number;

  constructor(options: FakeShellOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.author = options.author ?? "alice";
    if (options.seed) this.seed();
  }

  private iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  // ----- the command table ------------------------------------------------------

  handle(cmd: string, payload: unknown): unknown {
    const args = ((payload as { args?: unknown } | undefined)?.args ?? {}) as Record<string, unknown>;
    this.calls.push({ cmd, args });
    switch (cmd) {
      case "app_info":
        return this.appInfo();
      case "set_author": {
        const name = String(args.name ?? "").trim();
        if (!name) fail("invalid_input", "your name is empty");
        this.author = name;
        return this.appInfo();
      }
      case "list_incidents":
        return this.incidents.map((i) => this.summary(i)).reverse();
      case "incident_view":
        return this.view(this.resolve((args.incident as string | null) ?? null));
      case "start_incident":
        return this.summary(
          this.start(String(args.title ?? ""), (args.severity as string | null) ?? null, (args.runbooks as string[]) ?? []),
        );
      case "set_status":
        return this.setStatus(this.resolve(String(args.incident)), String(args.status));
      case "set_severity": {
        const inc = this.resolve(String(args.incident));
        const sev = String(args.severity).toUpperCase();
        if (!/^SEV[1-4]$/.test(sev)) fail("invalid_input", `severity "${String(args.severity)}": expected one of SEV1, SEV2, SEV3, SEV4`);
        inc.severity = sev;
        this.record(inc, "severity_changed", `severity ${sev}`);
        return this.summary(inc);
      }
      case "assign_role": {
        const inc = this.resolve(String(args.incident));
        const person = String(args.person ?? "").trim();
        if (!person) fail("rejected", "the person's name is empty");
        inc.roles.set(String(args.role), person);
        this.record(inc, "role_assigned", `${String(args.role)}: ${person}`);
        return this.summary(inc);
      }
      case "change_step":
        return this.changeStep(
          this.resolve(String(args.incident)),
          String(args.ref),
          String(args.state),
          (args.reason as string | null) ?? null,
        );
      case "add_note":
        return this.addNote(args);
      case "amend":
        return this.amend(String(args.event), String(args.text ?? ""));
      case "retract":
        return this.retract(String(args.event), (args.reason as string | null) ?? null);
      case "list_runbooks":
        return this.runbooks.map((r) => this.runbookSummary(r));
      case "search_runbooks":
        return this.search(String(args.query ?? ""));
      case "runbook_preview":
        return this.preview(String(args.id));
      case "import_runbooks":
        return this.importPaths((args.paths as string[]) ?? []);
      case "export_markdown":
      case "export_incident":
        this.resolve(String(args.incident));
        return cmd === "export_incident" ? String(args.path) : "# Incident\n";
      case "plugin:dialog|save": {
        const options = (payload as { options?: { defaultPath?: string } }).options;
        return `/home/${this.author}/Documents/${options?.defaultPath ?? "incident.md"}`;
      }
      case "plugin:dialog|open": {
        const options = (payload as { options?: { directory?: boolean } }).options;
        return options?.directory ? "/home/alice/team-runbooks" : ["/home/alice/team-runbooks/db-failover.md"];
      }
      default:
        return fail("store", `the fake shell has no command ${cmd}`);
    }
  }

  private appInfo(): AppInfo {
    return {
      version: "0.1.0",
      store_path: "/home/alice/.local/share/firebreak/firebreak.db",
      author: this.author,
      device: "d3v1ce00-0000-7000-8000-000000000001",
    };
  }

  // ----- incidents ----------------------------------------------------------------

  resolve(ref: string | null): Incident {
    if (ref === null) {
      const open = [...this.incidents].reverse().find((i) => i.status !== "resolved");
      if (!open) fail("no_open_incident", "no open incident: start one with `firebreak incident start TITLE`");
      return open;
    }
    const found = this.incidents.filter((i) => i.id === ref || i.id.endsWith(ref) || i.id.startsWith(ref));
    if (found.length !== 1) fail("unknown_incident", `no incident ${ref}`);
    return found[0] as Incident;
  }

  start(title: string, severity: string | null, runbookIds: string[], offsetMs = 0): Incident {
    if (!title.trim()) fail("rejected", "the incident's title is empty");
    const at = this.iso(offsetMs);
    const inc: Incident = {
      id: newId(),
      title: title.trim(),
      status: "investigating",
      severity,
      roles: new Map(),
      started_at: at,
      started_by: this.author,
      status_reached: [{ status: "investigating", at }],
      runs: [],
      timeline: [],
    };
    this.record(inc, "incident_started", `incident started: ${inc.title}`, offsetMs);
    for (const id of runbookIds) {
      const runbook = this.runbooks.find((r) => r.id === id);
      if (!runbook) fail("unknown_runbook", `no runbook ${id}`);
      inc.runs.push({ run: newId(), runbook, started_at: at, started_by: this.author, steps: new Map() });
      this.record(inc, "runbook_run_started", `runbook ${runbook.id}`, offsetMs);
    }
    this.incidents.push(inc);
    return inc;
  }

  private setStatus(inc: Incident, status: string): IncidentSummary {
    if (!["investigating", "identified", "mitigated", "resolved"].includes(status)) {
      fail("invalid_input", `status "${status}": expected one of investigating, identified, mitigated, resolved`);
    }
    inc.status = status;
    if (!inc.status_reached.some((s) => s.status === status)) inc.status_reached.push({ status, at: this.iso() });
    this.record(inc, "status_changed", `status ${status}`);
    return this.summary(inc);
  }

  record(inc: Incident, kind: string, text: string, offsetMs = 0, extra: Partial<TimelineEntry> = {}): TimelineEntry {
    const id = newId();
    const at = this.iso(offsetMs);
    const entry: TimelineEntry = {
      id,
      short_id: id.slice(-8),
      kind,
      label: LABELS[kind] ?? kind,
      is_finding: FINDINGS.includes(kind),
      text,
      author: this.author,
      device: "d3v1ce00",
      recorded_at: at,
      occurred_at: null,
      at,
      amended: false,
      retracted: false,
      retraction_reason: null,
      private: false,
      ...extra,
    };
    inc.timeline.push(entry);
    inc.timeline.sort((a, b) => a.at.localeCompare(b.at));
    return entry;
  }

  summary(inc: Incident): IncidentSummary {
    return {
      id: inc.id,
      short_id: inc.id.slice(-8),
      title: inc.title,
      status: inc.status,
      severity: inc.severity,
      leader: inc.roles.get("leader") ?? null,
      started_at: inc.started_at,
      started_by: inc.started_by,
      open: inc.status !== "resolved",
      runbooks: inc.runs.map((r) => r.runbook.id),
      event_count: inc.timeline.length,
    };
  }

  view(inc: Incident): IncidentView {
    const qualify = inc.runs.length > 1;
    return {
      incident: this.summary(inc),
      roles: [...inc.roles].map(([role, person]) => ({ role, person })),
      status_reached: inc.status_reached,
      runs: inc.runs.map((r) => this.runView(r, qualify)),
      timeline: inc.timeline.map((e) => ({ ...e })),
      now: this.iso(),
    };
  }

  private runView(run: Run, qualify: boolean): RunView {
    let done = 0;
    let skipped = 0;
    let total = 0;
    const sections = run.runbook.sections.map((section) => ({
      title: section.title,
      level: section.level,
      blocks: section.blocks,
      steps: section.steps.map((s): StepView => {
        const st = run.steps.get(s.path) ?? { state: "open", by: null, at: null, reason: null };
        total += 1;
        if (st.state === "checked") done += 1;
        if (st.state === "skipped") skipped += 1;
        return {
          ref: qualify ? `${run.runbook.id}:${s.path}` : s.path,
          path: s.path,
          depth: s.path.split(".").length,
          text: s.text,
          html: s.html ?? escape(s.text),
          ...st,
          blocks: s.blocks ?? [],
        };
      }),
    }));
    return {
      run: run.run,
      runbook_id: run.runbook.id,
      title: run.runbook.title,
      content_hash: run.runbook.hash,
      started_at: run.started_at,
      started_by: run.started_by,
      done,
      skipped,
      total,
      sections,
    };
  }

  changeStep(inc: Incident, ref: string, state: string, reason: string | null, offsetMs = 0) {
    if (!["checked", "skipped", "open"].includes(state)) {
      fail("invalid_input", `step state "${state}": expected checked, skipped or open`);
    }
    const [runbookId, path] = ref.includes(":") ? ref.split(":") : [null, ref];
    const runs = inc.runs.filter(
      (r) => (runbookId === null || r.runbook.id === runbookId) && r.runbook.sections.some((s) => s.steps.some((st) => st.path === path)),
    );
    if (runs.length === 0) fail("unknown_step", `no step ${ref} in this incident`);
    if (runs.length > 1) fail("ambiguous_step", `step ${ref} is in several runbooks: qualify it`);
    const run = runs[0] as Run;
    const current = run.steps.get(path as string)?.state ?? "open";
    if (current === state) return { ref, state, recorded: false };
    const at = this.iso(offsetMs);
    run.steps.set(path as string, {
      state,
      by: state === "open" ? null : this.author,
      at: state === "open" ? null : at,
      reason: state === "skipped" ? reason : null,
    });
    const kind = state === "checked" ? "step_checked" : state === "skipped" ? "step_skipped" : "step_reopened";
    const stepText = run.runbook.sections.flatMap((s) => s.steps).find((s) => s.path === path)?.text ?? "";
    this.record(inc, kind, `${ref} ${stepText.slice(0, 60)}${reason ? ` (${reason})` : ""}`, offsetMs);
    return { ref, state, recorded: true };
  }

  // ----- findings ------------------------------------------------------------------

  private parseAt(at: string): string {
    const text = at.trim();
    const rel = /^(\d+)\s*m\s+ago$/.exec(text);
    if (rel) return this.iso(-Number(rel[1]) * 60_000);
    const hm = /^(\d{1,2}):(\d{2})$/.exec(text);
    if (hm) {
      const d = new Date(this.now());
      d.setHours(Number(hm[1]), Number(hm[2]), 0, 0);
      if (d.getTime() > this.now()) d.setDate(d.getDate() - 1);
      return d.toISOString();
    }
    return fail(
      "invalid_input",
      `cannot read time "${at}": expected HH:MM, HH:MM:SS, YYYY-MM-DD HH:MM, an RFC 3339 time such as 2026-11-21T13:30:00Z, or a relative time such as "10m ago"`,
    );
  }

  addNote(args: Record<string, unknown>): TimelineEntry {
    const kind = String(args.kind ?? "");
    if (!FINDINGS.includes(kind)) fail("invalid_input", `kind "${kind}": expected one of note, observation, hypothesis, decision, action`);
    const occurred = typeof args.at === "string" && args.at.trim() ? this.parseAt(args.at) : null;
    const inc = this.resolve(String(args.incident));
    const text = String(args.text ?? "").trim();
    if (!text) fail("rejected", "the finding's text is empty");
    const entry = this.record(inc, kind, text, 0, { private: Boolean(args.private) });
    if (occurred) {
      entry.occurred_at = occurred;
      entry.at = occurred;
      inc.timeline.sort((a, b) => a.at.localeCompare(b.at));
    }
    return { ...entry };
  }

  private findEntry(id: string): TimelineEntry {
    for (const inc of this.incidents) {
      const e = inc.timeline.find((t) => t.id === id || t.short_id === id);
      if (e) return e;
    }
    return fail("unknown_event", `no event ${id}`);
  }

  private amend(id: string, text: string): TimelineEntry {
    const e = this.findEntry(id);
    if (!e.is_finding || e.retracted) fail("rejected", "only live findings can be amended");
    if (!text.trim()) fail("rejected", "the amended text is empty");
    e.text = text.trim();
    e.amended = true;
    return { ...e };
  }

  private retract(id: string, reason: string | null): TimelineEntry {
    const e = this.findEntry(id);
    if (!e.is_finding || e.retracted) fail("rejected", "only live findings can be retracted");
    e.retracted = true;
    e.retraction_reason = reason && reason.trim() ? reason.trim() : null;
    return { ...e };
  }

  // ----- runbooks ------------------------------------------------------------------

  private runbookSummary(r: DemoRunbook): RunbookSummary {
    return {
      id: r.id,
      title: r.title,
      steps: r.sections.reduce((n, s) => n + s.steps.length, 0),
      content_hash: r.hash,
      origin: r.origin,
      updated_at: "2026-11-20T09:00:00.000Z",
      versions: 1,
    };
  }

  private search(query: string): RunbookHit[] {
    const words = query.toLowerCase().split(/[^a-z0-9_]+/).filter(Boolean);
    if (words.length === 0) return [];
    const hits: RunbookHit[] = [];
    for (const r of this.runbooks) {
      const text = [r.title, ...r.sections.flatMap((s) => [s.title, ...s.steps.map((st) => st.text)])].join(" ");
      const tokens = text.split(/\s+/);
      const match = (t: string, i: number) => {
        const w = t.toLowerCase().replace(/[^a-z0-9_]/g, "");
        return i === words.length - 1 ? w.startsWith(words[i] as string) : w === words[i];
      };
      if (!words.every((_, i) => tokens.some((t) => match(t, i)))) continue;
      const first = tokens.findIndex((t) => words.some((_, i) => match(t, i)));
      const start = Math.max(0, first - 4);
      const snippet = tokens
        .slice(start, start + 12)
        .map((t) => (words.some((_, i) => match(t, i)) ? `[${t}]` : t))
        .join(" ");
      hits.push({ id: r.id, title: r.title, snippet: `${start > 0 ? "…" : ""}${snippet}…` });
    }
    return hits;
  }

  private preview(id: string): RunbookPreview {
    const r = this.runbooks.find((rb) => rb.id === id);
    if (!r) fail("unknown_runbook", `no runbook ${id}`);
    const html = [
      `<h1>${escape(r.title)}</h1>`,
      ...r.sections.map(
        (s) =>
          `<h2>${escape(s.title)}</h2>` +
          s.blocks.map((b) => (b.type === "text" ? b.html : "")).join("") +
          `<ul>${s.steps.map((st) => `<li>${st.html ?? escape(st.text)}</li>`).join("")}</ul>`,
      ),
    ].join("\n");
    return { id: r.id, title: r.title, content_hash: r.hash, steps: this.runbookSummary(r).steps, html };
  }

  private importPaths(paths: string[]): ImportReport {
    const files = paths.map((path) => {
      if (/broken|bad/.test(path)) {
        return {
          path,
          ok: false,
          id: null,
          title: null,
          steps: null,
          change: null,
          error: `${path}:7:1: probe fence: expected a \`kind\` (http, dns, tcp or tls)`,
        };
      }
      const name = path.split("/").pop()?.replace(/\.md$/, "") ?? "runbook";
      return { path, ok: true, id: name, title: name.replace(/-/g, " "), steps: 6, change: "added", error: null };
    });
    const failed = files.filter((f) => !f.ok).length;
    return { files, imported: files.length - failed, failed };
  }

  // ----- the demo's incident -------------------------------------------------------

  private seed(): void {
    const MIN = 60_000;
    const old = this.start("Search results empty for EU users", "SEV3", ["narrow-top-down"], -3 * 24 * 60 * MIN);
    old.roles.set("leader", "dmitri");
    this.setStatus(old, "resolved");

    const inc = this.start("Checkout returns 500 for all users", "SEV1", ["production-outage", "narrow-bottom-up"], -47 * MIN);
    inc.roles.set("leader", "alice");
    this.record(inc, "role_assigned", "leader: alice", -45 * MIN);
    const by = (who: string, fn: () => void) => {
      const me = this.author;
      this.author = who;
      fn();
      this.author = me;
    };
    this.changeStep(inc, "production-outage:1", "checked", null, -44 * MIN);
    this.record(inc, "observation", "Support: checkout fails with \"Something went wrong\" since ~13:02, all regions", -43 * MIN);
    this.changeStep(inc, "production-outage:2", "checked", null, -41 * MIN);
    by("bob", () => {
      this.record(inc, "observation", "LB reports 0/4 app servers healthy", -38 * MIN);
      this.changeStep(inc, "production-outage:3", "skipped", "no CDN in front of checkout", -37 * MIN);
    });
    this.record(inc, "hypothesis", "Bad deploy at 12:55 (release 2026.11.21-3)?", -35 * MIN, { amended: true });
    const r = this.record(inc, "hypothesis", "Certificate on the API expired", -33 * MIN);
    r.retracted = true;
    r.retraction_reason = "cert valid until March";
    this.changeStep(inc, "production-outage:4", "checked", null, -30 * MIN);
    this.setStatus(inc, "identified");
    inc.status_reached[inc.status_reached.length - 1] = { status: "identified", at: this.iso(-22 * MIN) };
    inc.timeline[inc.timeline.length - 1]!.at = this.iso(-22 * MIN);
    this.record(inc, "decision", "Roll back checkout to 2026.11.21-2; no schema change in between", -18 * MIN);
    by("bob", () => this.record(inc, "action", "Rollback started (deploy #8812)", -16 * MIN));
    this.record(inc, "note", "Paged the payments on-call as a precaution", -12 * MIN, { private: true });
    this.record(inc, "observation", "Error rate falling: 38% → 4% in two minutes", -4 * MIN);
    inc.timeline.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** A write from "another process" (the CLI): the shell would emit store-changed. */
  async cliNote(text: string, kind = "note"): Promise<void> {
    const inc = this.resolve(null);
    const me = this.author;
    this.author = "bob";
    this.record(inc, kind, text);
    this.author = me;
    await emit("store-changed");
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

/** Routes the app's IPC to a fake shell (events included); returns it. */
export function installFakeShell(options: FakeShellOptions = { seed: true }): FakeShell {
  const shell = new FakeShell(options);
  mockWindows("main");
  mockIPC((cmd, payload) => shell.handle(cmd, payload), { shouldMockEvents: true });
  (window as unknown as { fakeShell: FakeShell }).fakeShell = shell;
  return shell;
}

export function uninstallFakeShell(): void {
  clearMocks();
}

export type { BlockView };
