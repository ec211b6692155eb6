// The post-mortem's words and choices as plain functions: badges, what an editor opens
// with (and the heads it will replace), a conflict's merge, milestones, the datetime
// field, the curated timeline, tollgate rows, the export's file name and dialog.

import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import {
  actionsInOrder,
  annotationStart,
  curatedTimeline,
  editStart,
  fromDatetimeLocal,
  hiddenCount,
  keepStart,
  mergeStart,
  milestoneSource,
  pickPostmortemPath,
  postmortemFileName,
  sectionBadge,
  toDatetimeLocal,
  tollgateStart,
} from "../src/lib/postmortem";
import type { FollowUpView, MilestoneView } from "../src/lib/bindings";
import { conflicted, pmEntry, pmView, section, version, written } from "./postmortem-fixtures";

afterEach(() => {
  clearMocks();
  delete (globalThis as { __FIREBREAK_E2E_DIALOG__?: unknown }).__FIREBREAK_E2E_DIALOG__;
});

describe("sections", () => {
  it("badges what is not simply written", () => {
    expect(sectionBadge(written("x"))).toBeNull();
    expect(sectionBadge(section({ state: "from_log", text: "t" }))).toBe("from the log");
    expect(sectionBadge(section())).toBe("not written");
    expect(sectionBadge(section({ heads: ["a"] }))).toBe("cleared");
    expect(sectionBadge(conflicted(version(), version({ author: "bob" })))).toBe("conflict: 2 versions");
  });

  it("opens the editor with the text shown and the heads shown, as a copy", () => {
    const s = written("Checkout failed.");
    const start = editStart(s);
    expect(start).toEqual({ text: "Checkout failed.", replaces: s.heads });
    s.heads.push("later");
    expect(start.replaces).toHaveLength(1);
    expect(editStart(section({ state: "from_log", text: "From the log." }))).toEqual({ text: "From the log.", replaces: [] });
    expect(editStart(section())).toEqual({ text: "", replaces: [] });
  });

  it("keeps one version or merges all, replacing every head", () => {
    const a = version({ text: "EU users.", author: "alice" });
    const b = version({ text: "40 minutes.", author: "bob" });
    const s = conflicted(a, b);
    expect(keepStart(s, b)).toEqual({ text: "40 minutes.", replaces: [a.id, b.id] });
    const merged = mergeStart(s);
    expect(merged.replaces).toEqual([a.id, b.id]);
    expect(merged.text).toMatch(/^\[alice, .*\]\nEU users\.\n\n\[bob, .*\]\n40 minutes\.$/);
  });
});

describe("milestones", () => {
  const m = (over: Partial<MilestoneView>): MilestoneView => ({
    milestone: "began",
    label: "Impact began",
    at: null,
    source: "unknown",
    what: null,
    set_by: null,
    ...over,
  });

  it("says where a time came from", () => {
    expect(milestoneSource(m({ source: "log", what: "status set to mitigated" }))).toBe("status set to mitigated");
    expect(milestoneSource(m({ source: "set", set_by: "bob" }))).toBe("set by bob");
    expect(milestoneSource(m({}))).toBe("not known yet");
  });

  it("goes to the datetime field in local time and back to UTC", () => {
    const iso = new Date(2026, 10, 21, 14, 2).toISOString();
    expect(toDatetimeLocal(iso)).toBe("2026-11-21T14:02");
    expect(fromDatetimeLocal("2026-11-21T14:02")).toBe(iso);
    expect(toDatetimeLocal(null)).toBe("");
    expect(fromDatetimeLocal("")).toBeNull();
    expect(fromDatetimeLocal("tomorrow")).toBeNull();
  });
});

describe("the timeline and the tables", () => {
  it("lists hidden entries only when asked", () => {
    const view = pmView({ timeline: [pmEntry(), pmEntry({ hidden: true, in_document: false })] });
    expect(curatedTimeline(view, false)).toHaveLength(1);
    expect(curatedTimeline(view, true)).toHaveLength(2);
    expect(hiddenCount(view)).toBe(1);
  });

  it("opens an annotation with its text and every head, a removal included", () => {
    const v = version({ text: "the first sign" });
    expect(annotationStart(pmEntry({ annotation: { versions: [v], heads: [v.id], conflict: false }, annotation_heads: [v.id] }))).toEqual({
      text: "the first sign",
      replaces: [v.id],
    });
    expect(annotationStart(pmEntry({ annotation: null, annotation_heads: ["removed"] }))).toEqual({ text: "", replaces: ["removed"] });
    const a = version({ text: "one" });
    const b = version({ text: "two", author: "bob" });
    const both = pmEntry({ annotation: { versions: [a, b], heads: [a.id, b.id], conflict: true }, annotation_heads: [a.id, b.id] });
    expect(annotationStart(both)).toEqual({ text: "one / two", replaces: [a.id, b.id] });
  });

  it("puts open actions first", () => {
    const a = (id: string, status: string) => ({ id, status }) as FollowUpView;
    expect(actionsInOrder([a("1", "done"), a("2", "open"), a("3", "wont-do"), a("4", "in-progress")]).map((x) => x.id)).toEqual([
      "2",
      "4",
      "1",
      "3",
    ]);
  });

  it("opens a tollgate row with what stands", () => {
    expect(tollgateStart({ gate: "Unit tests", versions: [], heads: [] })).toEqual({ why: "", ticket: "", replaces: [] });
    const one = { id: "v1", author: "alice", at: "", why_missed: "no test", ticket: "OPS-1" };
    expect(tollgateStart({ gate: "Unit tests", versions: [one], heads: ["v1"] })).toEqual({ why: "no test", ticket: "OPS-1", replaces: ["v1"] });
    const two = { id: "v2", author: "bob", at: "", why_missed: "flaky", ticket: null };
    expect(tollgateStart({ gate: "Unit tests", versions: [one, two], heads: ["v1", "v2"] })).toEqual({
      why: "no test (alice) / flaky (bob)",
      ticket: "OPS-1",
      replaces: ["v1", "v2"],
    });
  });
});

describe("exporting", () => {
  it("names the file after the incident and the format", () => {
    expect(postmortemFileName("Checkout returns 502 (EU)", "markdown")).toBe("checkout-returns-502-eu-postmortem.md");
    expect(postmortemFileName("Checkout", "html")).toBe("checkout-postmortem.html");
    expect(postmortemFileName("Checkout", "email")).toBe("checkout-postmortem-email.txt");
  });

  it("asks the save dialog with the format's filter, unless a window test answers it", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, payload) => {
      asked.push({ cmd, payload });
      return "/home/alice/pm.html";
    });
    expect(await pickPostmortemPath("Checkout", "html")).toBe("/home/alice/pm.html");
    expect(asked).toEqual([
      {
        cmd: "plugin:dialog|save",
        payload: { options: { defaultPath: "checkout-postmortem.html", filters: [{ name: "Web page", extensions: ["html"] }] } },
      },
    ]);
    (globalThis as { __FIREBREAK_E2E_DIALOG__?: unknown }).__FIREBREAK_E2E_DIALOG__ = { save: "/tmp/e2e/pm.md" };
    expect(await pickPostmortemPath("Checkout", "markdown")).toBe("/tmp/e2e/pm.md");
    expect(asked).toHaveLength(1);
  });
});
