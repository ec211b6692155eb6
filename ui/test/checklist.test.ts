import { describe, expect, it } from "vitest";
import {
  EMPTY_NAV,
  findStep,
  flattenSteps,
  navReduce,
  runProgress,
  stateSymbol,
  stepActions,
  stepCommandForKey,
  type NavAction,
  type NavState,
} from "../src/lib/checklist";
import { run, step } from "./fixtures";

const runs = [
  run("production-outage", [
    [step("production-outage:1", "checked"), step("production-outage:2", "open"), step("production-outage:2.1")],
    [step("production-outage:3", "skipped")],
  ]),
  run("narrow-bottom-up", [[step("narrow-bottom-up:1"), step("narrow-bottom-up:2")]]),
];

const refs = (s: NavState) => s.steps.map((x) => x.ref);
const apply = (state: NavState, ...actions: NavAction[]) => actions.reduce(navReduce, state);

describe("the flattened checklist", () => {
  it("lists every step of every run in drawing order", () => {
    expect(flattenSteps(runs).map((s) => s.ref)).toEqual([
      "production-outage:1",
      "production-outage:2",
      "production-outage:2.1",
      "production-outage:3",
      "narrow-bottom-up:1",
      "narrow-bottom-up:2",
    ]);
    expect(flattenSteps(runs)[3]).toEqual({ ref: "production-outage:3", state: "skipped", runbookId: "production-outage" });
  });

  it("finds a step by ref", () => {
    expect(findStep(runs, "narrow-bottom-up:2")?.text).toBe("step narrow-bottom-up:2");
    expect(findStep(runs, "nope")).toBeNull();
  });
});

describe("moving the selection", () => {
  const start = navReduce(EMPTY_NAV, { type: "sync", steps: flattenSteps(runs) });

  it("starts on the first open step", () => {
    expect(start.selected).toBe("production-outage:2");
    expect(refs(start)).toHaveLength(6);
  });

  it("moves down and up across sections and runs", () => {
    const s = apply(start, { type: "next" }, { type: "next" }, { type: "next" });
    expect(s.selected).toBe("narrow-bottom-up:1");
    expect(navReduce(s, { type: "prev" }).selected).toBe("production-outage:3");
  });

  it("stops at the ends", () => {
    const top = apply(start, { type: "first" }, { type: "prev" }, { type: "prev" });
    expect(top.selected).toBe("production-outage:1");
    const bottom = apply(start, { type: "last" }, { type: "next" });
    expect(bottom.selected).toBe("narrow-bottom-up:2");
  });

  it("selects by ref, ignoring refs that are not there", () => {
    expect(navReduce(start, { type: "select", ref: "narrow-bottom-up:2" }).selected).toBe("narrow-bottom-up:2");
    expect(navReduce(start, { type: "select", ref: "ghost" })).toBe(start);
  });

  it("jumps to the next open step, wrapping around", () => {
    const s = apply(start, { type: "select", ref: "narrow-bottom-up:2" }, { type: "next-open" });
    expect(s.selected).toBe("production-outage:2");
  });

  it("keeps the selected step when fresh data arrives", () => {
    const s = apply(start, { type: "select", ref: "production-outage:3" });
    const checked = flattenSteps(runs).map((x) => (x.ref === "production-outage:2" ? { ...x, state: "checked" } : x));
    const after = navReduce(s, { type: "sync", steps: checked });
    expect(after.selected).toBe("production-outage:3");
    expect(after.steps).toBe(checked);
  });

  it("stays at the same place when the selected step goes away", () => {
    const s = apply(start, { type: "select", ref: "narrow-bottom-up:1" }); // index 4
    // The second runbook's refs lose their qualifier when it is the only run left.
    const fewer = flattenSteps([run("narrow-bottom-up", [[step("1"), step("2"), step("3"), step("4"), step("5")]])]);
    expect(navReduce(s, { type: "sync", steps: fewer }).selected).toBe("5");
    const tiny = flattenSteps([run("x", [[step("1")]])]);
    expect(navReduce(s, { type: "sync", steps: tiny }).selected).toBe("1");
  });

  it("does nothing on an empty checklist", () => {
    expect(navReduce(EMPTY_NAV, { type: "next" })).toBe(EMPTY_NAV);
    expect(navReduce(EMPTY_NAV, { type: "sync", steps: [] }).selected).toBeNull();
  });
});

describe("checklist keys and states", () => {
  it("maps keys to commands", () => {
    expect(["j", "ArrowDown", "k", "ArrowUp", "x", " ", "s", "o", "q"].map(stepCommandForKey)).toEqual([
      "next",
      "next",
      "prev",
      "prev",
      "check",
      "check",
      "skip",
      "reopen",
      null,
    ]);
  });

  it("offers the two states a step is not in", () => {
    expect(stepActions("open")).toEqual(["check", "skip"]);
    expect(stepActions("checked")).toEqual(["skip", "reopen"]);
    expect(stepActions("skipped")).toEqual(["check", "reopen"]);
  });

  it("shows each state with its own symbol", () => {
    const symbols = ["open", "checked", "skipped"].map(stateSymbol);
    expect(new Set(symbols).size).toBe(3);
    expect(stateSymbol("checked")).toBe("✓");
  });

  it("computes a run's progress", () => {
    expect(runProgress({ done: 3, skipped: 1, total: 8 })).toEqual({
      done: 3,
      skipped: 1,
      total: 8,
      open: 4,
      percent: 50,
    });
    expect(runProgress({ done: 0, skipped: 0, total: 0 }).percent).toBe(0);
  });
});
