// Progressive rendering of a long checklist. A runbook of fifty steps with their notes
// and commands costs the first frame a layout of everything; the responder only sees
// the first screenful. The first render shows the sections up to a budget of steps
// (and always through the selected one); the rest follow a few per frame after the
// first paint, so the workspace is usable at once and input stays responsive.

import type { RunView } from "./bindings";

/** Steps the first render shows (about a screen and a half of checklist). */
export const FIRST_RENDER_STEPS = 12;

/** Steps each later frame adds. */
export const STEPS_PER_FRAME = 12;

/**
 * How many sections of each run the first render shows: sections in order until
 * `budget` steps are shown, always through the section holding `selected`.
 */
export function initialSectionCounts(
  runs: RunView[],
  selected: string | null,
  budget = FIRST_RENDER_STEPS,
): number[] {
  let left = budget;
  return runs.map((run) => {
    const holding = run.sections.findIndex((s) => s.steps.some((step) => step.ref === selected));
    let count = 0;
    for (const section of run.sections) {
      if (left <= 0 && count > holding) break;
      count += 1;
      left -= Math.max(1, section.steps.length);
    }
    return count;
  });
}

/**
 * The counts after one more frame: each run grows by sections worth about `perFrame`
 * steps, earlier runs first. Returns null when everything is shown.
 */
export function growSectionCounts(
  runs: RunView[],
  counts: number[],
  perFrame = STEPS_PER_FRAME,
): number[] | null {
  let left = perFrame;
  let grew = false;
  const next = runs.map((run, i) => {
    let count = counts[i] ?? 0;
    while (count < run.sections.length && left > 0) {
      left -= Math.max(1, run.sections[count]?.steps.length ?? 0);
      count += 1;
      grew = true;
    }
    return count;
  });
  return grew ? next : null;
}
