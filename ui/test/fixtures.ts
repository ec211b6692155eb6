// Small hand-made values of the shell's types for the tests.
import type { RunView, StepView, TimelineEntry } from "../src/lib/bindings";

let n = 0;

export function entry(over: Partial<TimelineEntry> = {}): TimelineEntry {
  n += 1;
  const id = `0192f3c4-0000-7000-8000-${String(n).padStart(12, "0")}`;
  const kind = over.kind ?? "note";
  return {
    id,
    short_id: id.slice(-8),
    kind,
    label: kind,
    is_finding: ["note", "observation", "hypothesis", "decision", "action", "update"].includes(kind),
    text: `entry ${n}`,
    author: "alice",
    device: "dev",
    recorded_at: "2026-11-21T12:00:00.000Z",
    occurred_at: null,
    at: "2026-11-21T12:00:00.000Z",
    amended: false,
    retracted: false,
    retraction_reason: null,
    private: false,
    probe_ok: null,
    outcome: null,
    ...over,
  };
}

export function step(ref: string, state = "open", over: Partial<StepView> = {}): StepView {
  const path = ref.includes(":") ? ref.split(":")[1]! : ref;
  return {
    ref,
    path,
    depth: path.split(".").length,
    text: `step ${ref}`,
    html: `step ${ref}`,
    state,
    by: null,
    at: null,
    reason: null,
    blocks: [],
    ...over,
  };
}

export function run(runbookId: string, sections: StepView[][]): RunView {
  const steps = sections.flat();
  return {
    run: `run-${runbookId}`,
    runbook_id: runbookId,
    title: runbookId,
    content_hash: "abc",
    started_at: "2026-11-21T12:00:00.000Z",
    started_by: "alice",
    done: steps.filter((s) => s.state === "checked").length,
    skipped: steps.filter((s) => s.state === "skipped").length,
    total: steps.length,
    sections: sections.map((s, i) => ({ index: i, title: `Section ${i + 1}`, level: 2, blocks: [], steps: s })),
  };
}
