import { describe, expect, it } from "vitest";
import { growSectionCounts, initialSectionCounts } from "../src/lib/progressive";
import type { RunView, SectionView, StepView } from "../src/lib/bindings";

function step(ref: string): StepView {
  return {
    ref,
    path: ref,
    depth: 1,
    text: ref,
    html: ref,
    state: "open",
    by: null,
    at: null,
    reason: null,
    blocks: [],
  };
}

function section(refs: string[]): SectionView {
  return { index: 0, title: "s", level: 2, blocks: [], steps: refs.map(step) };
}

function run(sections: SectionView[]): RunView {
  return {
    run: "r",
    runbook_id: "rb",
    title: "t",
    content_hash: "h",
    started_at: "2026-11-21T13:00:00Z",
    started_by: "a",
    done: 0,
    skipped: 0,
    total: 0,
    sections,
  };
}

// Five sections of five steps: 1-5, 6-10, 11-15, 16-20, 21-25.
const big = run(
  [0, 1, 2, 3, 4].map((s) => section([1, 2, 3, 4, 5].map((n) => String(s * 5 + n)))),
);

describe("initialSectionCounts", () => {
  it("shows sections until the budget of steps is spent", () => {
    expect(initialSectionCounts([big], "1", 12)).toEqual([3]);
    expect(initialSectionCounts([big], "1", 5)).toEqual([1]);
  });

  it("always reaches the selected step", () => {
    expect(initialSectionCounts([big], "23", 5)).toEqual([5]);
    expect(initialSectionCounts([big], "12", 5)).toEqual([3]);
  });

  it("spends one budget across runs, earlier runs first", () => {
    expect(initialSectionCounts([big, big], null, 12)).toEqual([3, 0]);
  });

  it("counts an empty section as one, so a runbook of prose still renders", () => {
    const prose = run([section([]), section([]), section([])]);
    expect(initialSectionCounts([prose], null, 2)).toEqual([2]);
  });
});

describe("growSectionCounts", () => {
  it("adds about a frame's worth of steps until everything is shown", () => {
    let counts: number[] | null = [1];
    const seen: number[][] = [];
    while (counts) {
      seen.push(counts);
      counts = growSectionCounts([big], counts, 10);
    }
    expect(seen).toEqual([[1], [3], [5]]);
  });

  it("returns null when nothing is left", () => {
    expect(growSectionCounts([big], [5])).toBeNull();
  });
});
