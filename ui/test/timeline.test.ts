import { describe, expect, it } from "vitest";
import {
  authorsOf,
  filterTimeline,
  isScrolledToBottom,
  kindOptions,
  NO_FILTER,
} from "../src/lib/timeline";
import { entry } from "./fixtures";

const log = [
  entry({ kind: "incident_started", label: "started", author: "alice" }),
  entry({ kind: "observation", author: "bob" }),
  entry({ kind: "step_checked", label: "checked", author: "bob" }),
  entry({ kind: "hypothesis", author: "alice" }),
  entry({ kind: "observation", author: "alice" }),
];

describe("timeline filters", () => {
  it("shows everything without a filter, in the same order", () => {
    expect(filterTimeline(log, NO_FILTER)).toEqual(log);
  });

  it("filters by kind", () => {
    const shown = filterTimeline(log, { kind: "observation", author: "all" });
    expect(shown.map((e) => e.id)).toEqual([log[1]!.id, log[4]!.id]);
  });

  it("filters to findings only", () => {
    const shown = filterTimeline(log, { kind: "findings", author: "all" });
    expect(shown.map((e) => e.kind)).toEqual(["observation", "hypothesis", "observation"]);
  });

  it("filters by author, and by both", () => {
    expect(filterTimeline(log, { kind: "all", author: "bob" })).toHaveLength(2);
    const both = filterTimeline(log, { kind: "observation", author: "alice" });
    expect(both).toEqual([log[4]]);
  });

  it("offers each author once, sorted", () => {
    expect(authorsOf(log)).toEqual(["alice", "bob"]);
  });

  it("offers the finding kinds, then the other kinds present under their labels", () => {
    const options = kindOptions(log);
    expect(options.slice(0, 2).map((o) => o.value)).toEqual(["all", "findings"]);
    expect(options.map((o) => o.value)).toContain("decision");
    // Every finding kind, customer updates included, whether or not one was written yet.
    expect(options.slice(2, 8).map((o) => o.value)).toEqual(["note", "observation", "hypothesis", "decision", "action", "update"]);
    const extra = options.slice(8);
    expect(extra).toEqual([
      { value: "incident_started", label: "started" },
      { value: "step_checked", label: "checked" },
    ]);
  });
});

describe("following the end of the timeline", () => {
  it("knows when the reader is at the bottom", () => {
    expect(isScrolledToBottom({ scrollTop: 600, clientHeight: 400, scrollHeight: 1000 })).toBe(true);
    expect(isScrolledToBottom({ scrollTop: 590, clientHeight: 400, scrollHeight: 1000 })).toBe(true);
    expect(isScrolledToBottom({ scrollTop: 300, clientHeight: 400, scrollHeight: 1000 })).toBe(false);
    expect(isScrolledToBottom({ scrollTop: 0, clientHeight: 400, scrollHeight: 200 })).toBe(true);
  });
});
