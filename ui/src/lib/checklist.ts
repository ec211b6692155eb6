// The checklist as the keyboard sees it: every step of every run in one list, in the
// order they are drawn, and a reducer that moves the selection over it. The reducer is
// pure so the rules (clamping at the ends, keeping the selection across refreshes) are
// tested without a DOM.

import type { RunView, StepView } from "./bindings";

export type StepState = "open" | "checked" | "skipped";

export interface FlatStep {
  ref: string;
  state: string;
  runbookId: string;
}

export function flattenSteps(runs: RunView[]): FlatStep[] {
  const out: FlatStep[] = [];
  for (const run of runs) {
    for (const section of run.sections) {
      for (const step of section.steps) {
        out.push({ ref: step.ref, state: step.state, runbookId: run.runbook_id });
      }
    }
  }
  return out;
}

export interface NavState {
  steps: FlatStep[];
  selected: string | null;
}

export type NavAction =
  | { type: "next" }
  | { type: "prev" }
  | { type: "first" }
  | { type: "last" }
  | { type: "next-open" }
  | { type: "select"; ref: string }
  /** New data arrived: keep the selected step if it still exists. */
  | { type: "sync"; steps: FlatStep[] };

export const EMPTY_NAV: NavState = { steps: [], selected: null };

function indexOf(state: NavState): number {
  return state.selected === null ? -1 : state.steps.findIndex((s) => s.ref === state.selected);
}

function at(steps: FlatStep[], i: number): string | null {
  return steps[i]?.ref ?? null;
}

/** The first open step, else the first step. */
function firstOpen(steps: FlatStep[]): string | null {
  return (steps.find((s) => s.state === "open") ?? steps[0])?.ref ?? null;
}

export function navReduce(state: NavState, action: NavAction): NavState {
  const { steps } = state;
  const i = indexOf(state);
  switch (action.type) {
    case "next":
      if (steps.length === 0) return state;
      return { steps, selected: i < 0 ? at(steps, 0) : at(steps, Math.min(i + 1, steps.length - 1)) };
    case "prev":
      if (steps.length === 0) return state;
      return { steps, selected: i < 0 ? at(steps, 0) : at(steps, Math.max(i - 1, 0)) };
    case "first":
      return { steps, selected: at(steps, 0) };
    case "last":
      return { steps, selected: at(steps, steps.length - 1) };
    case "next-open": {
      const after = steps.slice(i + 1).find((s) => s.state === "open");
      const wrapped = after ?? steps.find((s) => s.state === "open");
      return wrapped ? { steps, selected: wrapped.ref } : state;
    }
    case "select":
      return steps.some((s) => s.ref === action.ref) ? { steps, selected: action.ref } : state;
    case "sync": {
      const next = action.steps;
      if (state.selected !== null && next.some((s) => s.ref === state.selected)) {
        return { steps: next, selected: state.selected };
      }
      if (state.selected !== null && i >= 0 && next.length > 0) {
        // The selected step went away (the runs changed): stay at the same place.
        return { steps: next, selected: at(next, Math.min(i, next.length - 1)) };
      }
      return { steps: next, selected: firstOpen(next) };
    }
  }
}

export type StepCommand = "next" | "prev" | "check" | "skip" | "reopen";

/** The checklist's own keys (only when focus is not in a text field). */
export function stepCommandForKey(key: string): StepCommand | null {
  switch (key) {
    case "j":
    case "ArrowDown":
      return "next";
    case "k":
    case "ArrowUp":
      return "prev";
    case "x":
    case " ":
      return "check";
    case "s":
      return "skip";
    case "o":
      return "reopen";
    default:
      return null;
  }
}

export const STATE_SYMBOL: Record<string, string> = {
  open: "○",
  checked: "✓",
  skipped: "↷",
};

export function stateSymbol(state: string): string {
  return STATE_SYMBOL[state] ?? "○";
}

/** The two actions a step offers: the states it is not in. */
export function stepActions(state: string): Array<"check" | "skip" | "reopen"> {
  switch (state) {
    case "checked":
      return ["skip", "reopen"];
    case "skipped":
      return ["check", "reopen"];
    default:
      return ["check", "skip"];
  }
}

export interface Progress {
  done: number;
  skipped: number;
  total: number;
  open: number;
  /** Checked and skipped, as a share of all steps, 0–100. */
  percent: number;
}

export function runProgress(run: Pick<RunView, "done" | "skipped" | "total">): Progress {
  const settled = run.done + run.skipped;
  return {
    done: run.done,
    skipped: run.skipped,
    total: run.total,
    open: Math.max(0, run.total - settled),
    percent: run.total === 0 ? 0 : Math.round((settled / run.total) * 100),
  };
}

export function findStep(runs: RunView[], ref: string): StepView | null {
  for (const run of runs) {
    for (const section of run.sections) {
      const step = section.steps.find((s) => s.ref === ref);
      if (step) return step;
    }
  }
  return null;
}
