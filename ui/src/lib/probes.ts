// Probes as the workspace draws them: timings in words, the latency chart's geometry,
// which probe blocks can run (or are running, or wait for a placeholder), what to tell
// the user about probes that were skipped, and the probe entries of the timeline.
// Pure functions over the shell's views; the components only lay them out.

import type {
  BlockView,
  ProbePointView,
  ProbeResultView,
  ProbeView,
  RunView,
  SectionView,
  SkippedProbe,
  TimingsView,
  WatchView,
} from "./bindings";
import { toMillis, utcDateTime } from "./time";

export type ProbeBlock = Extract<BlockView, { type: "probe" }>;

// ----- timings -------------------------------------------------------------------------

/** The phases a result can time, in the order they happen, with the words shown. */
export const PHASES: ReadonlyArray<readonly [keyof TimingsView, string]> = [
  ["dns_ms", "dns"],
  ["connect_ms", "connect"],
  ["tls_ms", "tls"],
  ["first_byte_ms", "first byte"],
  ["total_ms", "total"],
];

/**
 * Milliseconds as a person reads them: `0.31 ms`, `4.2 ms`, `245 ms`, `1.24 s`,
 * `12.3 s`; a dash when there is no value.
 */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 0) return `-${formatMs(-ms)}`;
  if (ms === 0) return "0 ms";
  if (ms < 0.01) return "<0.01 ms";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 9.95) return `${ms.toFixed(1)} ms`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 9.995) return `${s.toFixed(2)} s`;
  if (s < 99.95) return `${s.toFixed(1)} s`;
  return `${Math.round(s)} s`;
}

export interface TimingPart {
  phase: keyof TimingsView;
  label: string;
  ms: number;
  text: string;
}

/** The phases that were timed (null phases left out), in order. */
export function timingParts(t: TimingsView): TimingPart[] {
  const parts: TimingPart[] = [];
  for (const [phase, label] of PHASES) {
    const ms = t[phase];
    if (ms === null || ms === undefined || !Number.isFinite(ms)) continue;
    parts.push({ phase, label, ms, text: formatMs(ms) });
  }
  return parts;
}

/** `dns 0.31 ms · connect 0.20 ms · first byte 1.1 ms · total 1.5 ms`; empty if none. */
export function timingLine(t: TimingsView): string {
  return timingParts(t)
    .map((p) => `${p.label} ${p.text}`)
    .join(" · ");
}

// ----- result facts --------------------------------------------------------------------

export function certText(days: number): string {
  if (days < 0) return `certificate expired ${-days} day${days === -1 ? "" : "s"} ago`;
  if (days === 0) return "certificate expires today";
  return `certificate: ${days} day${days === 1 ? "" : "s"} left`;
}

/** What else the result says: HTTP status, certificate, DNS answers, the address. */
export function resultFacts(r: ProbeResultView): string[] {
  const facts: string[] = [];
  if (r.http_status !== null) facts.push(`HTTP ${r.http_status}`);
  const days = r.cert_days_left;
  if (days !== null) facts.push(certText(days));
  if (r.answers.length > 0) {
    const shown = r.answers.slice(0, 4).join(", ");
    const more = r.answers.length > 4 ? ` +${r.answers.length - 4} more` : "";
    facts.push(`answers: ${shown}${more}`);
  }
  if (r.resolved_addr) facts.push(`via ${r.resolved_addr}`);
  return facts;
}

/** `1 run, passed`, `3 runs, 2 passed`, `4 runs, none passed`. */
export function runsText(runs: number, passes: number): string {
  if (runs === 1) return passes === 1 ? "1 run, passed" : "1 run, failed";
  const passed = passes === 0 ? "none passed" : passes === runs ? "all passed" : `${passes} passed`;
  return `${runs} runs, ${passed}`;
}

// ----- the latency chart ---------------------------------------------------------------

export interface ChartSize {
  width: number;
  height: number;
  /** Room kept free on every side, for the dots. */
  pad: number;
}

export const CHART_SIZE: ChartSize = { width: 150, height: 36, pad: 3 };

export interface ChartDot {
  x: number;
  y: number;
  ok: boolean;
  /** No total time was measured (a failure before any answer): drawn on the baseline. */
  untimed: boolean;
  /** A tooltip: when, how long, passed or failed. */
  title: string;
}

export interface ChartGeometry {
  /** An SVG path through the timed points, oldest first ("" for fewer than two). */
  path: string;
  dots: ChartDot[];
  /** The top of the y scale, in ms (a round number above the slowest point). */
  max: number;
  /** The y of the baseline (0 ms). */
  baseline: number;
}

/** A round number at or above `v`: 1, 2 or 5 times a power of ten. */
export function niceCeil(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  const f = v / exp;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * exp;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Where each point goes: x by time over the points' span (by order when they share one
 * instant or a time cannot be read), y by total time from 0 to a round maximum.
 */
export function chartGeometry(points: ProbePointView[], size: ChartSize = CHART_SIZE): ChartGeometry {
  const { width, height, pad } = size;
  const baseline = height - pad;
  const timed = points.map((p) => p.total_ms).filter((ms): ms is number => ms !== null && Number.isFinite(ms));
  const max = niceCeil(timed.length > 0 ? Math.max(...timed) : 0);
  if (points.length === 0) return { path: "", dots: [], max, baseline };

  const times = points.map((p) => toMillis(p.at));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const byTime = times.every(Number.isFinite) && last > first;
  const span = width - 2 * pad;
  const xAt = (i: number): number => {
    if (points.length === 1) return width / 2;
    if (byTime) return pad + (((times[i] as number) - first) / (last - first)) * span;
    return pad + (i / (points.length - 1)) * span;
  };
  const yAt = (ms: number | null): number =>
    ms === null || !Number.isFinite(ms) ? baseline : pad + (1 - Math.min(ms, max) / max) * (height - 2 * pad);

  const dots: ChartDot[] = points.map((p, i) => ({
    x: round1(xAt(i)),
    y: round1(yAt(p.total_ms)),
    ok: p.ok,
    untimed: p.total_ms === null,
    title: `${utcDateTime(p.at)} · ${p.total_ms === null ? "no time" : formatMs(p.total_ms)} · ${p.ok ? "passed" : "failed"} (${p.author})`,
  }));
  const line = dots.filter((d) => !d.untimed);
  const path = line.length < 2 ? "" : line.map((d, i) => `${i === 0 ? "M" : "L"}${d.x} ${d.y}`).join(" ");
  return { path, dots, max, baseline };
}

/** What a screen reader hears for the chart. */
export function chartLabel(label: string, points: ProbePointView[]): string {
  if (points.length === 0) return `Latency of ${label}: no runs yet`;
  const failed = points.filter((p) => !p.ok).length;
  const timed = points.map((p) => p.total_ms).filter((ms): ms is number => ms !== null);
  const lastMs = points[points.length - 1]?.total_ms ?? null;
  const parts = [
    `${points.length} run${points.length === 1 ? "" : "s"}`,
    failed === 0 ? "none failed" : `${failed} failed`,
    `last ${lastMs === null ? "not timed" : formatMs(lastMs)}`,
  ];
  if (timed.length > 1) parts.push(`slowest ${formatMs(Math.max(...timed))}`);
  return `Latency of ${label}: ${parts.join(", ")}`;
}

// ----- probes, blocks, sections ----------------------------------------------------------

export function probesByKey(probes: ProbeView[]): Map<string, ProbeView> {
  return new Map(probes.map((p) => [p.key, p]));
}

/** Ad-hoc probes (no step declared them), the most recently run first. */
export function adhocProbes(probes: ProbeView[]): ProbeView[] {
  return probes
    .filter((p) => p.step === null)
    .sort((a, b) => toMillis(b.last.at) - toMillis(a.last.at));
}

/** The keys of every probe block of the runs' steps. */
export function runbookProbeKeys(runs: RunView[]): Set<string> {
  const keys = new Set<string>();
  for (const run of runs) {
    for (const section of run.sections) {
      for (const block of sectionProbes(section)) if (block.key !== null) keys.add(block.key);
    }
  }
  return keys;
}

/** Every placeholder a probe block still needs, in order of first appearance. */
export function missingPlaceholders(runs: RunView[]): string[] {
  const names = new Set<string>();
  for (const run of runs) {
    for (const section of run.sections) {
      const blocks = [...section.blocks, ...section.steps.flatMap((s) => s.blocks)];
      for (const b of blocks) if (b.type === "probe") for (const n of b.missing) names.add(n);
    }
  }
  return [...names];
}

/** `{{ site_url }}, {{ api_base }}`. */
export function placeholders(names: string[]): string {
  return names.map((n) => `{{ ${n} }}`).join(", ");
}

/** The step ref a probe key belongs to: `production-outage:12#1` → `production-outage:12`. */
export function stepRefOfKey(key: string): string {
  const hash = key.lastIndexOf("#");
  return hash > 0 ? key.slice(0, hash) : key;
}

export interface BlockState {
  /** The probe can be run from here (it has a key and every placeholder has a value). */
  runnable: boolean;
  running: boolean;
  /** Why Run is disabled (the button's tooltip), null when it is not. */
  disabledReason: string | null;
  /** The watch on this probe, if one runs. */
  watch: WatchView | null;
}

export function blockState(block: ProbeBlock, running: ReadonlySet<string>, watches: WatchView[]): BlockState {
  const key = block.key;
  if (key === null) {
    return {
      runnable: false,
      running: false,
      disabledReason: "A probe of the section, not of a step: run it from the CLI",
      watch: null,
    };
  }
  const isRunning = running.has(key);
  const missing = block.missing.length > 0;
  return {
    runnable: !missing,
    running: isRunning,
    disabledReason: missing
      ? `Needs a value for ${placeholders(block.missing)}: set it under Variables`
      : isRunning
        ? "Running…"
        : null,
    watch: watches.find((w) => w.key === key) ?? null,
  };
}

/** The probe blocks of a section's steps that have a key (the ones the app can run). */
export function sectionProbes(section: SectionView): ProbeBlock[] {
  return section.steps.flatMap((s) =>
    s.blocks.filter((b): b is ProbeBlock => b.type === "probe" && b.key !== null),
  );
}

export interface SectionProbeState {
  /** Step probes in the section. */
  total: number;
  /** Those with every placeholder filled. */
  runnable: number;
  /** Every runnable probe of the section is running now. */
  running: boolean;
  disabledReason: string | null;
}

export function sectionState(section: SectionView, running: ReadonlySet<string>): SectionProbeState {
  const probes = sectionProbes(section);
  const ready = probes.filter((p) => p.missing.length === 0);
  const allRunning = ready.length > 0 && ready.every((p) => p.key !== null && running.has(p.key));
  const missing = [...new Set(probes.flatMap((p) => p.missing))];
  return {
    total: probes.length,
    runnable: ready.length,
    running: allRunning,
    disabledReason:
      ready.length === 0 && probes.length > 0
        ? `Needs a value for ${placeholders(missing)}: set it under Variables`
        : allRunning
          ? "Running…"
          : null,
  };
}

/** A short notice naming the probes that were not run and what they need; null if none. */
export function skippedNotice(skipped: SkippedProbe[]): string | null {
  if (skipped.length === 0) return null;
  const each = skipped.map((s) =>
    s.missing.length > 0 ? `${s.label} (needs ${placeholders(s.missing)})` : `${s.label} (${s.reason})`,
  );
  const head = skipped.length === 1 ? "Not run" : `${skipped.length} probes not run`;
  return `${head}: ${each.join("; ")}. Set the values under Variables.`;
}

// ----- watches -------------------------------------------------------------------------

export const WATCH_DEFAULT_SECS = 30;
export const WATCH_MIN_SECS = 1;

/**
 * The watch interval as typed (a number field gives a number, or null when empty): a
 * whole number of seconds, at least 1; null otherwise.
 */
export function parseEvery(typed: string | number | null | undefined): number | null {
  if (typed === null || typed === undefined) return null;
  const t = String(typed).trim().replace(/\s*s$/i, "");
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= WATCH_MIN_SECS && n <= 86_400 ? n : null;
}

export function watchSymbol(state: string): string {
  return state === "passing" ? "✓" : state === "failing" ? "✗" : "◌";
}

/** `every 30 s`, `every 2 min`, `every 1 min 30 s`. */
export function everyText(secs: number): string {
  if (secs < 60 || secs % 60 !== 0) {
    return secs < 60 ? `every ${secs} s` : `every ${Math.floor(secs / 60)} min ${secs % 60} s`;
  }
  return `every ${secs / 60} min`;
}

// ----- the timeline ----------------------------------------------------------------------

export interface ProbeEntryParts {
  outcome: "ok" | "fail" | null;
  /** The text without its leading mark. */
  rest: string;
}

/**
 * A probe entry's outcome (from `probe_ok`) and its text without the leading mark
 * (`✓ API health: status 200 in 1.2 ms` → `API health: status 200 in 1.2 ms`): the
 * colour and the mark drawn by the timeline say it instead.
 */
export function probeEntryParts(entry: { text: string; probe_ok: boolean | null }): ProbeEntryParts {
  const outcome = entry.probe_ok === null ? null : entry.probe_ok ? "ok" : "fail";
  const t = entry.text.trimStart();
  const rest = t.startsWith("✓") || t.startsWith("✗") ? t.slice(1).trimStart() : entry.text;
  return { outcome, rest };
}
