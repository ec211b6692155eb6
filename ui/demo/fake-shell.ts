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
  HandoffView,
  ImportReport,
  IncidentSummary,
  IncidentView,
  ProbePointView,
  ProbeResultView,
  ProbeView,
  ProbesStarted,
  RunView,
  RunbookHit,
  RunbookPreview,
  RunbookSummary,
  SkippedProbe,
  StepView,
  TimelineEntry,
  WatchView,
} from "../src/lib/bindings";
import { DEMO_RUNBOOKS, type DemoRunbook } from "./runbooks";
import { demoOutcome, fill, hostOf, isSensitiveHost, makeResult, parseTarget, type FakeOutcome } from "./fake-probes";
import { FakeHub } from "./fake-hub";
import { FakePostmortems } from "./fake-postmortem";

/** This store's device id; other responders' events carry another. */
export const DEVICE = "d3v1ce00-0000-7000-8000-000000000001";
/** The device of the other responder whose events the fake hub "pulls". */
export const OTHER_DEVICE = "0th3rd3v-0000-7000-8000-000000000002";

const FINDINGS = ["note", "observation", "hypothesis", "decision", "action", "update"];
const LABELS: Record<string, string> = {
  concluded: "concluded",
  handoff_sent: "handoff",
  handoff_accepted: "took over",
  incident_started: "started",
  runbook_run_started: "runbook",
  step_checked: "checked",
  step_skipped: "skipped",
  step_reopened: "reopened",
  status_changed: "status",
  severity_changed: "severity",
  role_assigned: "role",
  variable_set: "variable",
};

/** Environment profiles "beside the store". */
const PROFILES: Record<string, Record<string, string>> = {
  staging: { site_url: "https://staging.example.com", api_base: "https://api.staging.example.com" },
  production: { site_url: "https://www.example.com", api_base: "https://api.example.com" },
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
  variables: Map<string, string>;
  probes: Map<string, ProbeHistory>;
  running: Set<string>;
  /** `runbook|host` pairs the person allowed. */
  approvals: Set<string>;
  handoffs: FakeHandoff[];
}

interface FakeHandoff {
  id: string;
  incident: Incident;
  from: string;
  to: string;
  sent_at: string;
  note: string;
  accepted_by: string | null;
  accepted_at: string | null;
}

/** A handoff file "on disk" (the fake shell keeps files in memory). */
export interface FakeBundle {
  title: string;
  from: string;
  to: string;
  note: string;
  /** The incident's id, when it continues one this store may already have. */
  incident?: string;
}

const HEADLINES: Record<string, [string, string]> = {
  confirmed: ["hypothesis", "Hypothesis confirmed"],
  ruled_out: ["hypothesis", "Hypothesis ruled out"],
  done: ["action", "Action done"],
  abandoned: ["action", "Action abandoned"],
};

function samePerson(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

interface ProbeHistory {
  key: string;
  label: string;
  step: string | null;
  points: ProbePointView[];
  passes: number;
  last: ProbeResultView;
}

/** A probe of the incident's runbooks, planned: key, filled target, what it lacks. */
interface Planned {
  key: string;
  runbookId: string;
  run: string;
  path: string;
  section: number;
  label: string;
  kind: string;
  target: string;
  missing: string[];
  sensitive: string[];
}

/** What runs: a planned probe or an ad-hoc target. */
interface Job {
  key: string;
  label: string;
  kind: string;
  target: string;
  step: string | null;
}

interface Watch {
  view: WatchView;
  job: Job;
  incident: Incident;
  timers: Array<ReturnType<typeof setTimeout>>;
}

export interface FakeShellOptions {
  now?: () => number;
  author?: string;
  /** Start with an incident under way (for the demo). */
  seed?: boolean;
  /**
   * Start connected to the fake hub, and have another responder's note arrive a few
   * seconds later (for the demo).
   */
  connected?: boolean;
  /** With `seed`: dmitri has handed the author an incident of his, waiting in the inbox. */
  inbox?: boolean;
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
  /** How long a fake probe takes before its result lands (and store-changed fires). */
  probeDelayMs = 250;
  /** How a target fares; tests replace it. */
  outcome: (kind: string, target: string) => FakeOutcome = demoOutcome;
  watches = new Map<string, Watch>();
  /** Handoff files "on disk", by path. */
  files = new Map<string, FakeBundle>();
  /** What the open dialog answers for a handoff file (null: cancelled). */
  openBundlePath: string | null = "/home/alice/Downloads/handoff.json";
  private watchCount = 0;
  private readonly now: () => number;
  /** Sync: a pretend hub and worker. */
  readonly hub: FakeHub;
  /** The post-mortems' edits, and the draft folded from them. */
  readonly postmortems: FakePostmortems;
  /** Post-mortem documents "written to disk", by path. */
  documents = new Map<string, string>();

  constructor(options: FakeShellOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.author = options.author ?? "alice";
    this.hub = new FakeHub({ now: this.now, device: DEVICE, changed: () => void emit("sync-changed") });
    this.postmortems = new FakePostmortems(newId, () => this.iso(), renderMarkdown);
    if (options.seed) this.seed();
    if (options.seed && options.inbox) this.seedInbox();
    if (options.connected) {
      this.hub.connect({ url: this.hub.url, token: [...this.hub.tokens.keys()][0] ?? "", offline: false });
      if (options.seed) {
        this.demoTimer = setTimeout(() => {
          void this.pulledNote("bob", "Payments API p99 back under 300 ms from the EU region");
        }, 4000);
      }
    }
  }

  private demoTimer: ReturnType<typeof setTimeout> | null = null;

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
      case "run_probes":
        return this.runProbes(args);
      case "check_target":
        return this.checkTarget(String(args.incident), String(args.target ?? ""));
      case "start_watch":
        return this.startWatch(args);
      case "stop_watch":
        return this.stopWatch(String(args.id));
      case "set_variable":
        return this.setVariable(
          this.resolve(String(args.incident)),
          String(args.name ?? ""),
          (args.value as string | null) ?? null,
        );
      case "sync_status":
        return this.hub.status();
      case "connect_hub":
        return this.hub.connect({
          url: String(args.url ?? ""),
          token: String(args.token ?? ""),
          offline: args.offline === true,
        });
      case "disconnect_hub":
        return this.hub.disconnect();
      case "sync_now":
        return this.hub.syncNow();
      case "plugin:dialog|save": {
        const options = (payload as { options?: { defaultPath?: string } }).options;
        return `/home/${this.author}/Documents/${options?.defaultPath ?? "incident.md"}`;
      }
      case "plugin:dialog|open": {
        const options = (payload as { options?: { directory?: boolean; filters?: Array<{ extensions: string[] }> } }).options;
        if (options?.filters?.some((f) => f.extensions.includes("json"))) return this.openBundlePath;
        return options?.directory ? "/home/alice/team-runbooks" : ["/home/alice/team-runbooks/db-failover.md"];
      }
      case "conclude_finding":
        return this.conclude(String(args.event), String(args.outcome), (args.note as string | null) ?? null);
      case "draft_handoff":
        return this.draftHandoff(this.resolve(String(args.incident)), (args.to as string | null) ?? null);
      case "render_markdown":
        return renderMarkdown(String(args.markdown ?? ""));
      case "send_handoff": {
        const handoff = this.sendHandoff(this.resolve(String(args.incident)), String(args.to ?? ""), String(args.note ?? ""));
        const status = this.hub.status();
        return { handoff: this.handoffView(handoff), hub_url: status.hub_url, pending: status.pending };
      }
      case "export_handoff":
        return this.exportHandoff(args);
      case "import_handoff":
        return this.importHandoff(String(args.path ?? ""));
      case "handoff_inbox":
        return this.incidents
          .flatMap((i) => i.handoffs)
          .filter((h) => h.accepted_by === null && samePerson(h.to, this.author))
          .sort((a, b) => b.sent_at.localeCompare(a.sent_at))
          .map((h) => this.handoffView(h));
      case "accept_handoff":
        return this.acceptHandoff(String(args.handoff ?? ""), args.force === true);
      case "incident_handoffs":
        return this.resolve((args.incident as string | null) ?? null).handoffs.map((h) => this.handoffView(h));
      case "export_postmortem": {
        const format = String(args.format ?? "");
        if (!["markdown", "html", "email"].includes(format)) fail("invalid_input", `format ${JSON.stringify(format)}: expected markdown, html or email`);
        const path = String(args.path ?? "").trim();
        if (!path.startsWith("/")) fail("invalid_input", `${JSON.stringify(path)} is not a full path: choose where to save the post-mortem`);
        if (this.documents.has(path) && args.overwrite !== true) fail("file_exists", `${path} already exists`);
        const markdown = this.postmortems.markdown(this.resolve(String(args.incident)));
        this.documents.set(path, format === "html" ? renderMarkdown(markdown) : markdown);
        return path;
      }
      default: {
        if (cmd.startsWith("postmortem_")) {
          const incident = () => this.resolve((args.incident as string | null) ?? null);
          const answer = this.postmortems.handle(cmd, args, incident, this.author);
          if (answer !== undefined) {
            if (cmd !== "postmortem_view") this.hub.appended();
            return answer;
          }
        }
        return fail("store", `the fake shell has no command ${cmd}`);
      }
    }
  }

  private appInfo(): AppInfo {
    return {
      version: "0.1.0",
      store_path: "/home/alice/.local/share/firebreak/firebreak.db",
      author: this.author,
      device: DEVICE,
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
      variables: new Map(),
      probes: new Map(),
      running: new Set(),
      approvals: new Set(),
      handoffs: [],
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
      device: DEVICE,
      recorded_at: at,
      occurred_at: null,
      at,
      amended: false,
      retracted: false,
      retraction_reason: null,
      private: false,
      probe_ok: null,
      outcome: null,
      ...extra,
    };
    inc.timeline.push(entry);
    inc.timeline.sort((a, b) => a.at.localeCompare(b.at));
    // This device's events wait for the (fake) worker to push them.
    if (entry.device === DEVICE && !entry.private) this.hub.appended();
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
    const { vars, profile, profileError } = this.variablesOf(inc);
    const planned = new Map(this.plan(inc).map((p) => [p.key, p]));
    return {
      incident: this.summary(inc),
      roles: [...inc.roles].map(([role, person]) => ({ role, person })),
      status_reached: inc.status_reached,
      runs: inc.runs.map((r) => this.runView(r, qualify, vars(r.runbook), planned)),
      timeline: inc.timeline.map((e) => ({ ...e })),
      now: this.iso(),
      variables: [...inc.variables].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
      profile,
      profiles: Object.keys(PROFILES).sort(),
      profile_error: profileError,
      probes: [...inc.probes.values()].map(
        (h): ProbeView => ({
          key: h.key,
          label: h.label,
          step: h.step === null ? null : qualify ? h.step : h.step.split(":").pop()!,
          runs: h.points.length,
          passes: h.passes,
          points: h.points.slice(-120).map((p) => ({ ...p })),
          last: { ...h.last, timings: { ...h.last.timings }, answers: [...h.last.answers] },
        }),
      ),
      running_probes: [...inc.running],
      watches: [...this.watches.values()].filter((w) => w.incident === inc).map((w) => ({ ...w.view })),
      probe_error: null,
    };
  }

  private runView(
    run: Run,
    qualify: boolean,
    vars: ReadonlyMap<string, string>,
    planned: ReadonlyMap<string, Planned>,
  ): RunView {
    let done = 0;
    let skipped = 0;
    let total = 0;
    const probeBlock = (b: BlockView, key: string | null): BlockView => {
      if (b.type !== "probe") return b;
      const p = key ? planned.get(key) : undefined;
      const filled = fill(b.target, vars);
      return { ...b, key, target: p?.target ?? filled.text, missing: p?.missing ?? filled.missing, sensitive: p?.sensitive ?? [] };
    };
    const sections = run.runbook.sections.map((section, index) => ({
      index,
      title: section.title,
      level: section.level,
      blocks: section.blocks.map((b) => probeBlock(b, null)),
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
          blocks: (() => {
            let n = 0;
            return (s.blocks ?? []).map((b) =>
              b.type === "probe" ? probeBlock(b, `${run.runbook.id}:${s.path}#${++n}`) : b,
            );
          })(),
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

  // ----- probes --------------------------------------------------------------------

  /** Placeholders' values per runbook: the incident's, then the profile's, then the runbook's defaults. */
  private variablesOf(inc: Incident) {
    const profile = inc.variables.get("profile") ?? null;
    const known = profile !== null ? PROFILES[profile] : undefined;
    const profileError =
      profile !== null && !known
        ? `no profile ${JSON.stringify(profile)}: expected the file /home/alice/.local/share/firebreak/profiles/${profile}.toml (there are: ${Object.keys(PROFILES).sort().join(", ")})`
        : null;
    const vars = (runbook: DemoRunbook): Map<string, string> =>
      new Map([...Object.entries(runbook.variables ?? {}), ...Object.entries(known ?? {}), ...inc.variables]);
    return { vars, profile, profileError };
  }

  private plan(inc: Incident): Planned[] {
    const { vars } = this.variablesOf(inc);
    const planned: Planned[] = [];
    for (const run of inc.runs) {
      const values = vars(run.runbook);
      run.runbook.sections.forEach((section, index) => {
        for (const step of section.steps) {
          let n = 0;
          for (const b of step.blocks ?? []) {
            if (b.type !== "probe") continue;
            n += 1;
            const { text, missing } = fill(b.target, values);
            const host = missing.length === 0 ? hostOf(text) : "";
            planned.push({
              key: `${run.runbook.id}:${step.path}#${n}`,
              runbookId: run.runbook.id,
              run: run.run,
              path: step.path,
              section: index,
              label: b.name ?? text,
              kind: b.kind,
              target: text,
              missing,
              sensitive: host && isSensitiveHost(host) ? [host] : [],
            });
          }
        }
      });
    }
    return planned;
  }

  /** The planned probes a request selects, after the approval check. */
  private select(inc: Incident, args: Record<string, unknown>, approve: boolean): Planned[] {
    const all = this.plan(inc);
    let chosen: Planned[];
    const key = (args.key as string | null) ?? null;
    const ref = (args.ref as string | null) ?? null;
    const run = (args.run as string | null) ?? null;
    const section = (args.section as number | null) ?? null;
    if (key !== null) {
      chosen = all.filter((p) => p.key === key);
      if (chosen.length === 0) fail("invalid_input", `no probe ${key} in this incident`);
    } else if (ref !== null) {
      const [runbookId, path] = ref.includes(":") ? ref.split(":") : [null, ref];
      const steps = inc.runs.filter(
        (r) => (runbookId === null || r.runbook.id === runbookId) && r.runbook.sections.some((s) => s.steps.some((st) => st.path === path)),
      );
      if (steps.length === 0) fail("unknown_step", `no step ${ref} in this incident`);
      if (steps.length > 1) fail("ambiguous_step", `step ${ref} is in several runbooks: qualify it`);
      const id = steps[0]!.runbook.id;
      chosen = all.filter((p) => p.runbookId === id && (p.path === path || p.path.startsWith(`${path}.`)));
    } else if (run !== null && section !== null) {
      chosen = all.filter((p) => p.run === run && p.section === section);
    } else if (run === null && section === null) {
      chosen = all;
    } else {
      fail("invalid_input", "say which probes: a key, a step ref, or a run and a section, or neither for all");
    }
    if (chosen.length === 0) fail("invalid_input", "there is no probe to run there");
    const pending = chosen.flatMap((p) =>
      p.sensitive.filter((h) => !inc.approvals.has(`${p.runbookId}|${h}`)).map((h) => [p.runbookId, h] as const),
    );
    if (pending.length > 0) {
      if (!approve) {
        const hosts = [...new Set(pending.map(([rb, h]) => `${h} (runbook ${rb})`))];
        fail(
          "needs_approval",
          `these probes reach ${hosts.join(", ")}, a loopback, link-local or cloud-metadata address; run them only if you expect that`,
        );
      }
      for (const [rb, h] of pending) inc.approvals.add(`${rb}|${h}`);
    }
    return chosen;
  }

  private runProbes(args: Record<string, unknown>): ProbesStarted {
    const inc = this.resolve(String(args.incident));
    const chosen = this.select(inc, args, Boolean(args.approve));
    const skipped: SkippedProbe[] = [];
    const jobs: Job[] = [];
    for (const p of chosen) {
      if (p.missing.length > 0) {
        skipped.push({
          key: p.key,
          label: p.label,
          missing: p.missing,
          reason: `${p.missing.map((n) => `{{ ${n} }}`).join(", ")} has no value: set it as an incident variable or in a profile`,
        });
      } else {
        jobs.push({ key: p.key, label: p.label, kind: p.kind, target: p.target, step: `${p.runbookId}:${p.path}` });
      }
    }
    return { keys: this.startJobs(inc, jobs), skipped };
  }

  private checkTarget(incident: string, typed: string): ProbesStarted {
    const inc = this.resolve(incident);
    let parsed;
    try {
      parsed = parseTarget(typed);
    } catch (e) {
      return fail("invalid_input", (e as Error).message);
    }
    const key = `${parsed.kind} ${parsed.target}`;
    return { keys: this.startJobs(inc, [{ key, label: parsed.target, kind: parsed.kind, target: parsed.target, step: null }]), skipped: [] };
  }

  private startJobs(inc: Incident, jobs: Job[]): string[] {
    const started = jobs.filter((j) => !inc.running.has(j.key));
    for (const job of started) {
      inc.running.add(job.key);
      setTimeout(() => {
        if (!this.incidents.includes(inc)) return;
        this.recordResult(inc, job, this.result(job));
        inc.running.delete(job.key);
        void emit("store-changed");
      }, this.probeDelayMs);
    }
    return started.map((j) => j.key);
  }

  private result(job: Job): ProbeResultView {
    return makeResult(job.kind, job.target, this.iso(), this.outcome(job.kind, job.target));
  }

  /** Appends a result to the probe's history and the timeline. */
  recordResult(inc: Incident, job: Job, result: ProbeResultView, offsetMs = 0, watch = false): void {
    const h = inc.probes.get(job.key) ?? { key: job.key, label: job.label, step: job.step, points: [], passes: 0, last: result };
    h.points.push({ at: result.at, ok: result.ok, total_ms: result.timings.total_ms, author: this.author });
    if (result.ok) h.passes += 1;
    h.last = result;
    inc.probes.set(job.key, h);
    const text = watch
      ? `${result.ok ? "✓" : "✗"} ${job.label} (watch): now ${result.ok ? "passing" : "failing"}: ${result.reason}`
      : `${result.ok ? "✓" : "✗"} ${job.label}: ${result.reason}`;
    this.record(inc, "probe", text, offsetMs, { probe_ok: result.ok });
  }

  private startWatch(args: Record<string, unknown>): WatchView {
    const inc = this.resolve(String(args.incident));
    const every = Number(args.every_secs);
    if (!Number.isInteger(every) || every < 1) fail("invalid_input", "a watch runs at most once a second; it is a watch, not a load test");
    const key = (args.key as string | null) ?? null;
    const target = (args.target as string | null) ?? null;
    let job: Job;
    if (key !== null && target === null) {
      const p = this.plan(inc).find((x) => x.key === key);
      if (!p) return fail("invalid_input", `no probe ${key} in this incident`);
      this.select(inc, { ref: `${p.runbookId}:${p.path}` }, Boolean(args.approve));
      if (p.missing.length > 0) fail("invalid_input", `${p.missing.map((n) => `{{ ${n} }}`).join(", ")} has no value`);
      job = { key, label: p.label, kind: p.kind, target: p.target, step: `${p.runbookId}:${p.path}` };
    } else if (target !== null && key === null) {
      let parsed;
      try {
        parsed = parseTarget(target);
      } catch (e) {
        return fail("invalid_input", (e as Error).message);
      }
      job = { key: `${parsed.kind} ${parsed.target}`, label: parsed.target, kind: parsed.kind, target: parsed.target, step: null };
    } else {
      return fail("invalid_input", "say what to watch: a probe key or a target, not both");
    }
    this.watchCount += 1;
    const view: WatchView = {
      id: `w${this.watchCount}`,
      incident: inc.id,
      key: job.key,
      label: job.label,
      target: job.target,
      every_secs: every,
      state: "starting",
      since: null,
      runs: 0,
      last_reason: null,
      last_total_ms: null,
    };
    const watch: Watch = { view, job, incident: inc, timers: [] };
    const tickOnce = () => {
      if (!this.watches.has(view.id)) return;
      const result = this.result(job);
      const state = result.ok ? "passing" : "failing";
      view.runs += 1;
      view.last_reason = result.reason;
      view.last_total_ms = result.timings.total_ms;
      if (state !== view.state) {
        view.state = state;
        view.since = result.at;
        this.recordResult(inc, job, result, 0, true);
      }
      void emit("store-changed");
    };
    watch.timers.push(setTimeout(tickOnce, Math.min(this.probeDelayMs, 1000)));
    watch.timers.push(setInterval(tickOnce, every * 1000));
    this.watches.set(view.id, watch);
    return { ...view };
  }

  private stopWatch(id: string): WatchView[] {
    const w = this.watches.get(id);
    if (!w) return [];
    this.watches.delete(id);
    for (const t of w.timers) clearTimeout(t);
    return [...this.watches.values()].filter((x) => x.incident === w.incident).map((x) => ({ ...x.view }));
  }

  /** Stops every watch (tests call it when they are done). */
  dispose(): void {
    for (const id of [...this.watches.keys()]) this.stopWatch(id);
    this.hub.stop();
    if (this.demoTimer !== null) clearTimeout(this.demoTimer);
  }

  private setVariable(inc: Incident, name: string, value: string | null): IncidentSummary {
    const n = name.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(n)) {
      fail("invalid_input", `${JSON.stringify(n)} cannot name a variable: use letters, digits, _, - and .`);
    }
    const v = value?.trim() ?? "";
    if (v === "") {
      if (inc.variables.delete(n)) this.record(inc, "variable_set", `${n} removed`);
    } else if (inc.variables.get(n) !== v) {
      inc.variables.set(n, v);
      this.record(inc, "variable_set", `${n} = ${v}`);
    }
    return this.summary(inc);
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
    if (!FINDINGS.includes(kind)) fail("invalid_input", `kind "${kind}": expected one of note, observation, hypothesis, decision, action, update`);
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

  private conclude(id: string, outcome: string, note: string | null): TimelineEntry {
    const e = this.findEntry(id);
    const headline = HEADLINES[outcome];
    if (!headline) {
      return fail("invalid_input", `outcome "${outcome}": expected one of confirmed, ruled-out (hypotheses), done, abandoned (actions)`);
    }
    if (e.kind !== headline[0]) {
      fail("rejected", `a ${e.kind} cannot be ${outcome.replace("_", " ")}: hypotheses are confirmed or ruled out; actions are done or abandoned`);
    }
    if (e.retracted) fail("rejected", `event ${e.short_id} was retracted`);
    const inc = this.incidents.find((i) => i.timeline.includes(e)) as Incident;
    const why = note?.trim() ? ` — ${note.trim()}` : "";
    this.record(inc, "concluded", `${headline[1]}: ${e.text}${why}`);
    e.outcome = outcome;
    return { ...e };
  }

  // ----- handoffs ------------------------------------------------------------------

  handoffView(h: FakeHandoff): HandoffView {
    return {
      id: h.id,
      short_id: h.id.slice(-8),
      incident: h.incident.id,
      incident_title: h.incident.title,
      from: h.from,
      to: h.to,
      sent_at: h.sent_at,
      note: h.note,
      note_html: renderMarkdown(h.note),
      accepted_by: h.accepted_by,
      accepted_at: h.accepted_at,
      for_me: samePerson(h.to, this.author),
      by_me: samePerson(h.from, this.author),
    };
  }

  private draftHandoff(inc: Incident, to: string | null) {
    const who = to?.trim() || "the next responder";
    const view = this.view(inc);
    const roles = ["leader", "comms", "scribe"].map((r) => `${r} ${inc.roles.get(r) ?? "nobody"}`).join(" · ");
    const lines = [
      `# Handoff: ${inc.title}`,
      "",
      `From **${this.author}** to **${who}**.`,
      "",
      "## Where it stands",
      "",
      `- **Status:** ${inc.status} · **Severity:** ${inc.severity ?? "not set"}`,
      `- **Roles:** ${roles}`,
    ];
    for (const run of view.runs) {
      lines.push("", `## Checklist: ${run.title} — ${run.done} of ${run.total} done, ${run.skipped} skipped`, "");
      for (const section of run.sections) {
        for (const st of section.steps.filter((x) => x.state === "open")) lines.push(`- [ ] ${st.path} ${st.text}`);
      }
    }
    const watches = [...this.watches.values()].filter((w) => w.incident === inc);
    if (view.probes.length > 0 || watches.length > 0) {
      lines.push("", "## Probes, last state", "");
      for (const p of view.probes) lines.push(`- **${p.last.ok ? "up" : "DOWN"}** ${p.label} — ${p.last.reason}`);
      for (const w of watches) {
        lines.push(`- watching ${w.view.label} every ${w.view.every_secs}s on my machine: start your own watch, mine stops when I go`);
      }
    }
    lines.push("", "## From me", "", "_What the log does not say: what you were about to try, who is waiting on what, what worries you._", "");
    return { incident: inc.id, note: lines.join("\n"), from: this.author, to: to?.trim() || null, watches: watches.length };
  }

  sendHandoff(inc: Incident, to: string, note: string): FakeHandoff {
    if (!to.trim()) fail("rejected", "the name of the person taking over is empty");
    if (!note.trim()) fail("rejected", "the handoff note is empty");
    const entry = this.record(inc, "handoff_sent", `Handed the incident to ${to.trim()}`);
    const handoff: FakeHandoff = {
      id: entry.id,
      incident: inc,
      from: this.author,
      to: to.trim(),
      sent_at: entry.recorded_at,
      note,
      accepted_by: null,
      accepted_at: null,
    };
    inc.handoffs.push(handoff);
    return handoff;
  }

  private exportHandoff(args: Record<string, unknown>) {
    const path = String(args.path ?? "").trim();
    if (!path.startsWith("/")) fail("invalid_input", `${JSON.stringify(path)} is not a full path: choose where to save the bundle`);
    if (this.files.has(path) && args.overwrite !== true) {
      fail("file_exists", `${path} already exists; choose another name (nothing was recorded)`);
    }
    if (path.startsWith("/read-only/")) fail("io", `cannot write in /read-only: permission denied (nothing was recorded)`);
    const inc = this.resolve(String(args.incident));
    const handoff = this.sendHandoff(inc, String(args.to ?? ""), String(args.note ?? ""));
    this.files.set(path, { title: inc.title, from: handoff.from, to: handoff.to, note: handoff.note, incident: inc.id });
    return {
      handoff: this.handoffView(handoff),
      path,
      bytes: 4096 + handoff.note.length,
      events: inc.timeline.filter((e) => !e.private).length,
      runbooks: inc.runs.length,
    };
  }

  private importHandoff(path: string) {
    const bundle = this.files.get(path);
    if (!bundle) {
      if (/truncated|broken/.test(path)) {
        fail(
          "bad_bundle",
          `the handoff bundle ${path} cannot be imported: the bundle ends early (line 212, column 3): it was cut short on the way; ask for it again or copy the whole file`,
        );
      }
      fail("io", `cannot read ${path}: No such file or directory (os error 2)`);
    }
    let inc = this.incidents.find((i) => i.id === bundle.incident);
    let inserted = 0;
    const fresh = !inc;
    if (!inc) {
      const me = this.author;
      this.author = bundle.from;
      inc = this.start(bundle.title, "SEV2", ["production-outage"], -90 * 60_000);
      inc.roles.set("leader", bundle.from);
      this.record(inc, "role_assigned", `leader: ${bundle.from}`, -88 * 60_000);
      this.changeStep(inc, "1", "checked", null, -80 * 60_000);
      this.record(inc, "observation", "Queue depth at 40k and climbing", -70 * 60_000);
      const h = this.sendHandoff(inc, bundle.to, bundle.note);
      for (const e of inc.timeline) e.device = OTHER_DEVICE;
      this.author = me;
      inserted = inc.timeline.length;
      void h;
    }
    const handoff = inc.handoffs[inc.handoffs.length - 1] as FakeHandoff;
    let auto = false;
    let roles: string[] = [];
    if (samePerson(handoff.to, this.author) && handoff.accepted_by === null) {
      roles = this.takeOver(handoff);
      auto = true;
    }
    return {
      incident: this.summary(inc),
      inserted,
      already_present: fresh ? 0 : inc.timeline.length,
      runbooks_added: fresh ? 1 : 0,
      handoff: this.handoffView(handoff),
      auto_accepted: auto,
      roles,
    };
  }

  private takeOver(h: FakeHandoff): string[] {
    const roles = [...h.incident.roles].filter(([, p]) => samePerson(p, h.from)).map(([r]) => r);
    const entry = this.record(h.incident, "handoff_accepted", `Took over from ${h.from}`);
    for (const r of roles) {
      h.incident.roles.set(r, this.author);
      this.record(h.incident, "role_assigned", `${r}: ${this.author}`);
    }
    h.accepted_by = this.author;
    h.accepted_at = entry.recorded_at;
    return roles;
  }

  private acceptHandoff(selector: string, force: boolean) {
    const h = this.incidents.flatMap((i) => i.handoffs).find((x) => x.id === selector || x.id.endsWith(selector));
    if (!h) return fail("unknown_event", `no event matches "${selector}"; \`firebreak log\` shows event ids`);
    if (h.accepted_by !== null) {
      if (samePerson(h.accepted_by, this.author)) {
        return { handoff: this.handoffView(h), incident: this.summary(h.incident), recorded: false, roles: [] };
      }
      fail("handoff_taken", `handoff ${h.id} was already taken over by ${h.accepted_by} at ${h.accepted_at}`);
    }
    if (!force && !samePerson(h.to, this.author)) {
      fail("handoff_not_for_you", `handoff ${h.id} is addressed to ${h.to}, not to you (${this.author})`);
    }
    const roles = this.takeOver(h);
    return { handoff: this.handoffView(h), incident: this.summary(h.incident), recorded: true, roles };
  }

  /** Another responder's handoff of the current incident to the author, pulled from the hub. */
  async pulledHandoff(from: string, note = `# Handoff\n\nAll yours. Watch the queue depth.`): Promise<HandoffView> {
    const inc = this.resolve(null);
    const me = this.author;
    this.author = from;
    const h = this.sendHandoff(inc, me, note);
    this.author = me;
    const entry = inc.timeline.find((e) => e.id === h.id);
    if (entry) entry.device = OTHER_DEVICE;
    await emit("store-changed");
    return this.handoffView(h);
  }

  private seedInbox(): void {
    const MIN = 60_000;
    const me = this.author;
    this.author = "dmitri";
    const inc = this.start("Nightly billing export stuck", "SEV3", ["narrow-top-down"], -6 * 60 * MIN);
    inc.roles.set("leader", "dmitri");
    this.record(inc, "observation", "Export job has been at 62% for 3 h", -5 * 60 * MIN);
    this.record(inc, "hypothesis", "Lock contention with the vacuum run", -4 * 60 * MIN);
    this.record(inc, "update", "Finance told: the export is late, ETA 09:00", -3 * 60 * MIN);
    const note = [
      "# Handoff: Nightly billing export stuck",
      "",
      `From **dmitri** to **${me}**.`,
      "",
      "## Where it stands",
      "",
      "- **Status:** investigating · **Severity:** SEV3",
      "- **Customers were last told:** the export is late, ETA 09:00",
      "",
      "## From me",
      "",
      "The vacuum run ends at 07:30: if the export has not moved by 07:45, restart it from the last checkpoint.",
    ].join("\n");
    this.sendHandoff(inc, me, note);
    for (const e of inc.timeline) e.device = OTHER_DEVICE;
    this.author = me;
    // The incident list shows the current incident first.
    this.incidents.unshift(this.incidents.pop() as Incident);
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
    // Probe results over the incident: the site failing, then back after the rollback.
    const probeAt = (job: Job, minutesAgo: number, outcome: FakeOutcome) =>
      this.recordResult(inc, job, makeResult(job.kind, job.target, this.iso(-minutesAgo * MIN), outcome), -minutesAgo * MIN);
    const site: Job = { key: "production-outage:2#1", label: "Website", kind: "http", target: "https://www.example.com", step: "production-outage:2" };
    const api: Job = { key: "production-outage:4#1", label: "API health", kind: "http", target: "https://api.example.com/health", step: "production-outage:4" };
    const bad = { ok: false, class: "http_status", http_status: 500 };
    for (const m of [44, 36, 29, 21, 15]) probeAt(site, m, bad);
    for (const m of [9, 6, 3]) probeAt(site, m, { ok: true, http_status: 200 });
    probeAt(api, 40, { ok: false, class: "http_status", http_status: 503 });
    probeAt(api, 3, { ok: true, http_status: 200 });
    probeAt({ key: "tcp db-1.example.com:5432", label: "db-1.example.com:5432", kind: "tcp", target: "db-1.example.com:5432", step: null }, 20, { ok: true });
    inc.timeline.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Another responder's note, pulled from the hub by the worker: store-changed. */
  async pulledNote(author: string, text: string, kind = "observation"): Promise<void> {
    const inc = this.resolve(null);
    this.record(inc, kind, text, 0, { author, device: OTHER_DEVICE });
    await emit("store-changed");
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

/** A little Markdown as safe HTML (headings, lists, emphasis, paragraphs), like the shell's. */
export function renderMarkdown(markdown: string): string {
  const inline = (t: string) =>
    escape(t)
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/_([^_]+)_/g, "<em>$1</em>")
      .replace(/`([^`]+)`/g, "<code>$1</code>");
  const out: string[] = [];
  let list = false;
  for (const line of markdown.split("\n")) {
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (!item && list) {
      out.push("</ul>");
      list = false;
    }
    if (heading) out.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
    else if (item) {
      if (!list) out.push("<ul>");
      list = true;
      out.push(`<li>${inline(item[1]!)}</li>`);
    } else if (line.trim() !== "") out.push(`<p>${inline(line)}</p>`);
  }
  if (list) out.push("</ul>");
  return out.join("\n");
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

/** Routes the app's IPC to a fake shell (events included); returns it. */
export function installFakeShell(options: FakeShellOptions = { seed: true, connected: true, inbox: true }): FakeShell {
  const shell = new FakeShell(options);
  mockWindows("main");
  mockIPC((cmd, payload) => shell.handle(cmd, payload), { shouldMockEvents: true });
  (window as unknown as { fakeShell: FakeShell }).fakeShell = shell;
  return shell;
}

export function uninstallFakeShell(): void {
  (window as unknown as { fakeShell?: FakeShell }).fakeShell?.dispose();
  clearMocks();
}

export type { BlockView };
