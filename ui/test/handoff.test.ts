// The handoff's view logic: whether the hub can carry it, what sending, exporting and
// importing did in words, a handoff's state, the live state beside the note, the
// bundle's file name and dialogs; and how hypotheses and actions end.

import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { HandoffImported, HandoffView, IncidentView, SyncStatusView } from "../src/lib/bindings";
import {
  bundleFileName,
  canAccept,
  checklistProgress,
  exportToFile,
  handoffPeople,
  handoffStatusText,
  importFromFile,
  importSummary,
  inboxLine,
  openFindings,
  peopleIn,
  sendState,
  sentMessage,
} from "../src/lib/handoff";
import { concludeMode, outcomeChoices, outcomeLabel, outcomeTone } from "../src/lib/outcome";
import { entry, run, step } from "./fixtures";

function status(over: Partial<SyncStatusView> = {}): SyncStatusView {
  return {
    phase: "synced",
    hub_url: "https://hub.example.com",
    pending: 0,
    last_attempt_at: null,
    last_success_at: null,
    error: null,
    next_attempt_at: null,
    clock_offset_ms: null,
    clock_skewed: false,
    device: "dev",
    hub_user: null,
    token_path: null,
    ...over,
  };
}

function handoff(over: Partial<HandoffView> = {}): HandoffView {
  return {
    id: "0192f3c4-0000-7000-8000-0000000000aa",
    short_id: "000000aa",
    incident: "inc",
    incident_title: "Payments failing",
    from: "alice",
    to: "bob",
    sent_at: "2026-11-21T14:02:00.000Z",
    note: "# Handoff",
    note_html: "<h1>Handoff</h1>",
    accepted_by: null,
    accepted_at: null,
    for_me: true,
    by_me: false,
    ...over,
  };
}

function view(over: Partial<IncidentView> = {}): IncidentView {
  return {
    incident: {
      id: "inc",
      short_id: "inc",
      title: "Payments failing",
      status: "investigating",
      severity: "SEV1",
      leader: "alice",
      started_at: "2026-11-21T12:00:00.000Z",
      started_by: "alice",
      open: true,
      runbooks: [],
      event_count: 0,
    },
    roles: [{ role: "leader", person: "alice" }],
    status_reached: [],
    runs: [],
    timeline: [],
    now: "2026-11-21T14:00:00.000Z",
    variables: [],
    profile: null,
    profiles: [],
    profile_error: null,
    probes: [],
    running_probes: [],
    watches: [],
    probe_error: null,
    ...over,
  };
}

afterEach(() => {
  clearMocks();
  delete (globalThis as { __FIREBREAK_E2E_DIALOG__?: unknown }).__FIREBREAK_E2E_DIALOG__;
});

describe("sending through the hub", () => {
  it("is not offered without a hub, and says what to do instead", () => {
    for (const s of [null, status({ phase: "not_connected", hub_url: null })]) {
      const state = sendState(s);
      expect(state.enabled).toBe(false);
      expect(state.note).toContain("export a file");
    }
  });

  it("is offered with a hub, with a word of caution when it does not answer", () => {
    expect(sendState(status())).toEqual({ enabled: true, note: "" });
    expect(sendState(status({ phase: "syncing" })).note).toBe("");
    const offline = sendState(status({ phase: "offline" }));
    expect(offline.enabled).toBe(true);
    expect(offline.note).toContain("leaves when it does");
    expect(sendState(status({ phase: "failed" })).note).toContain("export a file as well");
  });

  it("says where the handoff went", () => {
    const h = handoff({ by_me: true, for_me: false });
    expect(sentMessage({ handoff: h, hub_url: "https://hub.example.com:8443", pending: 1 })).toBe(
      "Sent to bob — delivered through hub.example.com:8443 at the next sync.",
    );
    expect(sentMessage({ handoff: h, hub_url: null, pending: 0 })).toContain("no hub is connected: export a file");
  });
});

describe("importing a bundle", () => {
  const imported = (over: Partial<HandoffImported> = {}, h: Partial<HandoffView> = {}): HandoffImported => ({
    incident: view().incident,
    inserted: 42,
    already_present: 0,
    runbooks_added: 1,
    handoff: handoff({ accepted_by: "bob", accepted_at: "2026-11-21T14:05:00.000Z", ...h }),
    auto_accepted: true,
    roles: ["leader"],
    ...over,
  });

  it("says what came in and that the takeover is done", () => {
    expect(importSummary(imported())).toEqual([
      "“Payments failing” from alice, for bob.",
      "You took it over (leader moved to you).",
      "42 new events, 1 runbook added.",
    ]);
  });

  it("says when nothing was new and who holds it", () => {
    const again = imported({ inserted: 0, already_present: 42, runbooks_added: 0, auto_accepted: false, roles: [] });
    expect(importSummary(again)).toEqual([
      "“Payments failing” from alice, for bob.",
      "Already taken over by bob.",
      "0 new events, 42 already here.",
    ]);
  });

  it("says when it waits for someone else", () => {
    const other = imported({ auto_accepted: false, roles: [] }, { to: "carol", for_me: false, accepted_by: null, accepted_at: null });
    expect(importSummary(other)[1]).toBe("It is addressed to carol, not to you: it waits for them.");
  });
});

describe("a handoff in words", () => {
  it("names the people, with you for the app's author", () => {
    expect(handoffPeople(handoff())).toBe("alice → you");
    expect(handoffPeople(handoff({ by_me: true, for_me: false }))).toBe("you → bob");
  });

  it("says whether it waits or was taken over", () => {
    expect(handoffStatusText(handoff())).toMatch(/^waiting for you since \d\d:\d\d$/);
    expect(handoffStatusText(handoff({ for_me: false }))).toMatch(/^waiting for bob since/);
    expect(handoffStatusText(handoff({ accepted_by: "bob", accepted_at: "2026-11-21T14:05:00.000Z" }))).toMatch(
      /^taken over by bob at \d\d:\d\d$/,
    );
    expect(inboxLine(handoff())).toMatch(/^alice handed you “Payments failing” at \d\d:\d\d$/);
  });

  it("offers Accept to the person it is for, Take over to anyone else, nothing once taken or to its sender", () => {
    expect(canAccept(handoff())).toEqual({ accept: true, force: false });
    expect(canAccept(handoff({ for_me: false }))).toEqual({ accept: true, force: true });
    expect(canAccept(handoff({ accepted_by: "bob" })).accept).toBe(false);
    expect(canAccept(handoff({ by_me: true, for_me: false })).accept).toBe(false);
  });
});

describe("the state beside the note", () => {
  it("adds up the checklists", () => {
    const v = view({
      runs: [
        run("a", [[step("1", "checked"), step("2", "skipped"), step("3")]]),
        run("b", [[step("b:1", "checked"), step("b:2")]]),
      ],
    });
    expect(checklistProgress(v)).toEqual({ done: 2, skipped: 1, total: 5, text: "2 of 5 done, 1 skipped" });
    expect(checklistProgress(view()).text).toBe("no runbook");
  });

  it("counts open hypotheses and actions and finds the last customer update", () => {
    const timeline = [
      entry({ kind: "hypothesis", outcome: "ruled_out" }),
      entry({ kind: "hypothesis" }),
      entry({ kind: "hypothesis", retracted: true }),
      entry({ kind: "action" }),
      entry({ kind: "action", outcome: "done" }),
      entry({ kind: "update", text: "investigating" }),
      entry({ kind: "update", text: "fix rolling out" }),
      entry({ kind: "update", text: "typo", retracted: true }),
    ];
    const open = openFindings(timeline);
    expect(open.hypotheses).toBe(1);
    expect(open.actions).toBe(1);
    expect(open.lastUpdate?.text).toBe("fix rolling out");
    expect(openFindings([]).lastUpdate).toBeNull();
  });

  it("suggests the people in the incident but the app's author", () => {
    const v = view({
      timeline: [entry({ author: "alice" }), entry({ author: "bob" }), entry({ author: "Alice" })],
      roles: [{ role: "comms", person: "carol" }],
    });
    expect(peopleIn(v, "alice")).toEqual(["bob", "carol"]);
  });
});

describe("the bundle file", () => {
  it("is named after the incident and the person taking over", () => {
    expect(bundleFileName("Payments failing (EU)", "Bob")).toBe("payments-failing-eu-handoff-to-bob.json");
    expect(bundleFileName("Payments failing", "  ")).toBe("payments-failing-handoff.json");
  });

  it("asks where to save, then exports there, replacing what the dialog agreed to replace", async () => {
    const seen: Array<{ cmd: string; payload: unknown }> = [];
    mockIPC((cmd, payload) => {
      seen.push({ cmd, payload });
      if (cmd === "plugin:dialog|save") return "/media/usb/handoff.json";
      if (cmd === "export_handoff") return { handoff: handoff(), path: "/media/usb/handoff.json", bytes: 1, events: 1, runbooks: 0 };
      return null;
    });
    const exported = await exportToFile({ incident: "inc", to: " bob ", note: "# Handoff\n" }, "Payments failing");
    expect(exported?.path).toBe("/media/usb/handoff.json");
    const dialog = seen.find((c) => c.cmd === "plugin:dialog|save")?.payload as { options: { defaultPath: string } };
    expect(dialog.options.defaultPath).toBe("payments-failing-handoff-to-bob.json");
    expect(seen.find((c) => c.cmd === "export_handoff")?.payload).toEqual({
      args: { incident: "inc", to: "bob", note: "# Handoff\n", path: "/media/usb/handoff.json", overwrite: true },
    });
  });

  it("records nothing when the dialog is cancelled", async () => {
    const cmds: string[] = [];
    mockIPC((cmd) => {
      cmds.push(cmd);
      return null;
    });
    expect(await exportToFile({ incident: "inc", to: "bob", note: "x" }, "t")).toBeNull();
    expect(await importFromFile()).toBeNull();
    expect(cmds).not.toContain("export_handoff");
    expect(cmds).not.toContain("import_handoff");
  });

  it("takes scripted answers instead of the native dialogs (end-to-end tests)", async () => {
    const cmds: Array<{ cmd: string; payload: unknown }> = [];
    mockIPC((cmd, payload) => {
      cmds.push({ cmd, payload });
      return cmd === "import_handoff" ? { incident: view().incident } : null;
    });
    (globalThis as { __FIREBREAK_E2E_DIALOG__?: unknown }).__FIREBREAK_E2E_DIALOG__ = { open: "/tmp/e2e/handoff.json" };
    await importFromFile();
    expect(cmds.map((c) => c.cmd)).not.toContain("plugin:dialog|open");
    expect(cmds.find((c) => c.cmd === "import_handoff")?.payload).toEqual({ args: { path: "/tmp/e2e/handoff.json" } });
  });
});

describe("how hypotheses and actions end", () => {
  it("offers the outcomes that fit the kind, leaving out the one it has", () => {
    expect(outcomeChoices(entry({ kind: "hypothesis" }))).toEqual(["confirmed", "ruled_out"]);
    expect(outcomeChoices(entry({ kind: "hypothesis", outcome: "ruled_out" }))).toEqual(["confirmed"]);
    expect(outcomeChoices(entry({ kind: "action" }))).toEqual(["done", "abandoned"]);
    expect(outcomeChoices(entry({ kind: "action", retracted: true }))).toEqual([]);
    expect(outcomeChoices(entry({ kind: "observation" }))).toEqual([]);
  });

  it("words them", () => {
    expect(outcomeLabel("ruled_out")).toBe("ruled out");
    expect(outcomeLabel("done")).toBe("done");
    expect(outcomeTone("confirmed")).toBe("positive");
    expect(outcomeTone("abandoned")).toBe("negative");
    expect(concludeMode("conclude:ruled_out")).toBe("ruled_out");
    expect(concludeMode("amend")).toBeNull();
    expect(concludeMode(null)).toBeNull();
  });
});
