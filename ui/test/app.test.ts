// The whole UI over the fake shell (demo/fake-shell.ts, behind mockIPC): what a
// responder does with the mouse and the keyboard, and what the shell receives.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { emit, listen } from "@tauri-apps/api/event";
import { installFakeShell, type FakeShell, type FakeShellOptions } from "../demo/fake-shell";
import App from "../src/App.svelte";
import { resetApp } from "../src/state.svelte";

let shell: FakeShell;

/** A fresh app over a fresh fake shell. */
async function start(options: FakeShellOptions = { seed: true }, tweak?: (shell: FakeShell) => void) {
  resetApp();
  shell = installFakeShell(options);
  tweak?.(shell);
  const ready = vi.fn();
  await listen("app-ready", ready);
  const user = userEvent.setup();
  render(App);
  return { user, ready };
}

const calls = (cmd: string) => shell.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
const selectedStep = () => document.querySelector<HTMLElement>('[data-testid=step][aria-selected="true"]');
const stepByRef = (ref: string) =>
  [...document.querySelectorAll<HTMLElement>("[data-testid=step]")].find((el) => el.dataset.ref === ref);

beforeEach(() => {
  document.body.innerHTML = "";
});

afterEach(() => {
  // Unmount (which stops listening for events) while the mocked IPC is still there.
  cleanup();
  clearMocks();
});

describe("start-up", () => {
  it("opens the most recent open incident and announces app-ready once", async () => {
    const { ready } = await start();
    expect(await screen.findByTestId("incident-title")).toHaveTextContent("Checkout returns 500 for all users");
    expect(calls("incident_view")[0]).toEqual({ incident: null });
    await waitFor(() => expect(ready).toHaveBeenCalledTimes(1));
    expect(screen.getAllByTestId("run").map((r) => r.dataset.runbookId)).toEqual([
      "production-outage",
      "narrow-bottom-up",
    ]);
    expect(screen.getByTestId("sync-state")).toHaveTextContent("Local only");
    expect(screen.getByTestId("status-bar")).toHaveTextContent("alice");
  });

  it("shows the Incidents screen when no incident is open", async () => {
    const { ready } = await start({ seed: false });
    expect(await screen.findByTestId("incident-list")).toBeInTheDocument();
    expect(screen.queryByTestId("workspace")).toBeNull();
    await waitFor(() => expect(ready).toHaveBeenCalledTimes(1));
  });

  it("shows other start-up failures in the banner with their code", async () => {
    await start({ seed: true }, (s) => {
      const handle = s.handle.bind(s);
      s.handle = (cmd, payload) => {
        if (cmd === "incident_view") throw { code: "incompatible_store", message: "the store is from a newer Firebreak" };
        return handle(cmd, payload);
      };
    });
    const banner = await screen.findByTestId("error-banner");
    expect(banner).toHaveAttribute("data-code", "incompatible_store");
    expect(banner).toHaveTextContent("the store is from a newer Firebreak");
    await userEvent.click(within(banner).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });
});

describe("the checklist from the keyboard", () => {
  it("moves, checks, skips with a reason, and reopens", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    // The first open step is selected: 1, 2 and 4 are checked and 3 is skipped.
    await waitFor(() => expect(selectedStep()?.dataset.ref).toBe("production-outage:5"));

    await user.keyboard("x");
    await waitFor(() => expect(stepByRef("production-outage:5")?.dataset.state).toBe("checked"));
    expect(calls("change_step").at(-1)).toEqual({
      incident: shell.incidents[1]!.id,
      ref: "production-outage:5",
      state: "checked",
      reason: null,
    });

    await user.keyboard("j");
    expect(selectedStep()?.dataset.ref).toBe("production-outage:6");
    await user.keyboard("s");
    const reason = await screen.findByTestId("step-reason-input");
    expect(document.activeElement).toBe(reason);
    await user.keyboard("no terminal on this laptop{Enter}");
    await waitFor(() => expect(stepByRef("production-outage:6")?.dataset.state).toBe("skipped"));
    expect(calls("change_step").at(-1)).toMatchObject({ ref: "production-outage:6", state: "skipped", reason: "no terminal on this laptop" });
    expect(stepByRef("production-outage:6")).toHaveTextContent("no terminal on this laptop");
    expect(screen.queryByTestId("step-reason-input")).toBeNull();

    await user.keyboard("o");
    await waitFor(() => expect(stepByRef("production-outage:6")?.dataset.state).toBe("open"));

    await user.keyboard("k");
    expect(selectedStep()?.dataset.ref).toBe("production-outage:5");
  });

  it("cancels a skip with Escape and records nothing", async () => {
    const { user } = await start();
    await waitFor(() => expect(selectedStep()).not.toBeNull());
    const before = calls("change_step").length;
    await user.keyboard("s");
    await screen.findByTestId("step-reason-input");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("step-reason-input")).toBeNull();
    expect(calls("change_step")).toHaveLength(before);
  });

  it("checks and reopens with the step's buttons", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    // Later sections render a frame or two after the first paint (lib/progressive.ts).
    const step = await waitFor(() => {
      const found = stepByRef("narrow-bottom-up:1");
      expect(found).toBeTruthy();
      return found!;
    });
    await user.click(within(step).getByTestId("step-check"));
    await waitFor(() => expect(stepByRef("narrow-bottom-up:1")?.dataset.state).toBe("checked"));
    expect(stepByRef("narrow-bottom-up:1")).toHaveTextContent("Checked by alice");
    await user.click(within(stepByRef("narrow-bottom-up:1")!).getByTestId("step-reopen"));
    await waitFor(() => expect(stepByRef("narrow-bottom-up:1")?.dataset.state).toBe("open"));
  });

  it("does not act on letters typed into a field", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.click(screen.getByTestId("note-input"));
    await user.keyboard("xsxo");
    expect(calls("change_step")).toHaveLength(0);
    expect(screen.getByTestId("note-input")).toHaveValue("xsxo");
  });
});

describe("the note bar", () => {
  it("is focused by Ctrl+J from another screen, takes a kind prefix, and submits on Enter", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.click(screen.getByTestId("nav-runbooks"));
    await screen.findByTestId("runbook-search");
    await user.keyboard("{Control>}j{/Control}");
    const input = await screen.findByTestId("note-input");
    await waitFor(() => expect(document.activeElement).toBe(input));

    await user.keyboard("/hyp cache stampede after the deploy");
    expect(screen.getByTestId("note-kind")).toHaveValue("hypothesis");
    expect(input).toHaveValue("cache stampede after the deploy");
    await user.keyboard("{Enter}");

    await waitFor(() => expect(calls("add_note")).toHaveLength(1));
    expect(calls("add_note")[0]).toEqual({
      incident: shell.incidents[1]!.id,
      kind: "hypothesis",
      text: "cache stampede after the deploy",
      at: null,
      private: false,
    });
    expect(input).toHaveValue("");
    expect(document.activeElement).toBe(input);
    const last = await waitFor(() => {
      const entries = screen.getAllByTestId("timeline-entry");
      const e = entries.at(-1)!;
      expect(e).toHaveTextContent("cache stampede after the deploy");
      return e;
    });
    expect(last.dataset.kind).toBe("hypothesis");
  });

  it("focuses with n outside text fields", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.keyboard("n");
    expect(document.activeElement).toBe(screen.getByTestId("note-input"));
    // The key that focused the bar is not typed into it.
    expect(screen.getByTestId("note-input")).toHaveValue("");
  });

  it("backdates and marks private notes", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.selectOptions(screen.getByTestId("note-kind"), "action");
    await user.type(screen.getByTestId("note-at"), "10m ago");
    await user.click(screen.getByTestId("note-private"));
    await user.type(screen.getByTestId("note-input"), "paged the DBA{Enter}");
    await waitFor(() => expect(calls("add_note")).toHaveLength(1));
    expect(calls("add_note")[0]).toMatchObject({ kind: "action", at: "10m ago", private: true, text: "paged the DBA" });
    // Each note stands alone: kind, time and privacy go back to their defaults.
    expect(screen.getByTestId("note-kind")).toHaveValue("note");
    expect(screen.getByTestId("note-at")).toHaveValue("");
    expect(screen.getByTestId("note-private")).not.toBeChecked();
  });

  it("keeps the text and shows the shell's message when the time is bad", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.type(screen.getByTestId("note-at"), "13:7x");
    await user.type(screen.getByTestId("note-input"), "pager fired{Enter}");
    expect(await screen.findByTestId("note-error")).toHaveTextContent('cannot read time "13:7x"');
    expect(screen.getByTestId("note-input")).toHaveValue("pager fired");
    expect(screen.getByTestId("note-at")).toHaveValue("13:7x");
  });
});

describe("the timeline", () => {
  it("shows a note the CLI wrote, without polling", async () => {
    await start();
    await screen.findByTestId("workspace");
    const before = screen.getAllByTestId("timeline-entry").length;
    const viewsBefore = calls("incident_view").length;
    await shell.cliNote("written in the terminal", "observation");
    await waitFor(() => expect(screen.getAllByTestId("timeline-entry")).toHaveLength(before + 1));
    expect(screen.getAllByTestId("timeline-entry").at(-1)).toHaveTextContent("written in the terminal");
    expect(calls("incident_view").length).toBe(viewsBefore + 1);
  });

  it("filters by kind and by author", async () => {
    const { user } = await start();
    const timeline = await screen.findByTestId("timeline");
    await user.selectOptions(screen.getByTestId("timeline-filter-kind"), "observation");
    const kinds = within(timeline)
      .getAllByTestId("timeline-entry")
      .map((e) => e.dataset.kind);
    expect(kinds.length).toBeGreaterThan(1);
    expect(new Set(kinds)).toEqual(new Set(["observation"]));
    await user.selectOptions(screen.getByTestId("timeline-filter-author"), "bob");
    const entries = within(timeline).getAllByTestId("timeline-entry");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toHaveTextContent("LB reports 0/4 app servers healthy");
  });

  it("marks amended, retracted and private entries", async () => {
    await start();
    const timeline = await screen.findByTestId("timeline");
    const retracted = within(timeline).getByText("Certificate on the API expired").closest("li")!;
    expect(retracted).toHaveClass("retracted");
    expect(retracted).toHaveTextContent("Retracted: cert valid until March");
    expect(within(retracted).queryByTestId("entry-amend")).toBeNull();
    const amended = within(timeline).getByText(/Bad deploy at 12:55/).closest("li")!;
    expect(amended).toHaveTextContent("amended");
    const priv = within(timeline).getByText(/Paged the payments/).closest("li")!;
    expect(priv).toHaveTextContent("private");
    // Only findings can be amended.
    const status = within(timeline)
      .getAllByTestId("timeline-entry")
      .find((e) => e.dataset.kind === "status_changed")!;
    expect(within(status).queryByTestId("entry-amend")).toBeNull();
  });

  it("amends and retracts a finding", async () => {
    const { user } = await start();
    const timeline = await screen.findByTestId("timeline");
    const id = within(timeline).getByText(/LB reports 0\/4/).closest("li")!.dataset.eventId!;
    const entry = () =>
      within(timeline)
        .getAllByTestId("timeline-entry")
        .find((e) => e.dataset.eventId === id)!;

    await user.click(within(entry()).getByTestId("entry-amend"));
    const edit = within(entry()).getByTestId("entry-edit-input");
    expect(edit).toHaveValue("LB reports 0/4 app servers healthy");
    await user.clear(edit);
    await user.type(edit, "LB reports 1/4 app servers healthy{Enter}");
    await waitFor(() => expect(within(timeline).getByText(/LB reports 1\/4/)).toBeInTheDocument());
    expect(calls("amend")).toEqual([{ event: id, text: "LB reports 1/4 app servers healthy" }]);

    expect(entry()).toHaveTextContent("amended");
    await user.click(within(entry()).getByTestId("entry-retract"));
    await user.type(within(entry()).getByTestId("entry-edit-input"), "misread the dashboard{Enter}");
    await waitFor(() => expect(entry()).toHaveClass("retracted"));
    expect(calls("retract")).toEqual([{ event: id, reason: "misread the dashboard" }]);
    expect(entry()).toHaveTextContent("Retracted: misread the dashboard");
    expect(within(entry()).queryByTestId("entry-amend")).toBeNull();
  });
});

describe("the incident header", () => {
  it("changes status, severity and leader", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    const id = shell.incidents[1]!.id;
    await user.selectOptions(screen.getByTestId("incident-status"), "mitigated");
    await waitFor(() => expect(calls("set_status")).toEqual([{ incident: id, status: "mitigated" }]));
    await user.selectOptions(screen.getByTestId("incident-severity"), "SEV2");
    await waitFor(() => expect(calls("set_severity")).toEqual([{ incident: id, severity: "SEV2" }]));
    const leader = screen.getByTestId("incident-leader");
    expect(leader).toHaveValue("alice");
    await user.clear(leader);
    await user.type(leader, "carol{Enter}");
    await waitFor(() => expect(calls("assign_role")).toEqual([{ incident: id, role: "leader", person: "carol" }]));
    await waitFor(() => expect(screen.getByTestId("incident-leader")).toHaveValue("carol"));
  });

  it("exports Markdown to the path chosen in the save dialog", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.click(screen.getByTestId("export-button"));
    const done = await screen.findByTestId("export-done");
    const path = "/home/alice/Documents/checkout-returns-500-for-all-users.md";
    expect(done).toHaveTextContent(path);
    expect(calls("export_incident")).toEqual([{ incident: shell.incidents[1]!.id, path, include_private: false }]);
  });
});

describe("incidents", () => {
  it("lists open incidents first and opens one on click", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.keyboard("gi");
    const rows = await screen.findAllByTestId("incident-row");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining("Checkout returns 500"),
      expect.stringContaining("Search results empty"),
    ]);
    await user.click(rows[1]!);
    expect(await screen.findByTestId("incident-title")).toHaveTextContent("Search results empty for EU users");
  });

  it("starts an incident from runbooks found by search, then opens it", async () => {
    const { user } = await start({ seed: false });
    await user.type(await screen.findByTestId("start-title"), "Login page times out");
    await user.selectOptions(screen.getByTestId("start-severity"), "SEV2");
    await user.type(screen.getByTestId("start-runbook-search"), "replica");
    await waitFor(() =>
      expect(screen.getAllByTestId("start-runbook-option").map((o) => o.dataset.runbookId)).toEqual(["narrow-bottom-up"]),
    );
    expect(calls("search_runbooks").at(-1)).toEqual({ query: "replica" });
    const option = screen.getByTestId("start-runbook-option");
    await user.click(option);
    expect(option).toHaveAttribute("aria-selected", "true");
    await user.clear(screen.getByTestId("start-runbook-search"));
    await waitFor(() => expect(screen.getAllByTestId("start-runbook-option").length).toBeGreaterThan(2));
    const outage = screen
      .getAllByTestId("start-runbook-option")
      .find((o) => o.dataset.runbookId === "production-outage")!;
    await user.click(outage);
    await user.click(screen.getByTestId("start-submit"));
    expect(await screen.findByTestId("incident-title")).toHaveTextContent("Login page times out");
    expect(calls("start_incident")).toEqual([
      { title: "Login page times out", severity: "SEV2", runbooks: ["narrow-bottom-up", "production-outage"] },
    ]);
    expect(screen.getAllByTestId("run")).toHaveLength(2);
  });

  it("takes the search's first result on Enter, even straight after typing", async () => {
    const { user } = await start({ seed: false });
    await user.type(await screen.findByTestId("start-title"), "Replica lag");
    await screen.findAllByTestId("start-runbook-option");
    // Enter at once: before the debounced search has answered, the list still shows
    // every runbook, in title order. The pick must come from the search's results.
    await user.type(screen.getByTestId("start-runbook-search"), "replica{Enter}");
    await waitFor(() =>
      expect(
        screen
          .getAllByTestId("start-runbook-option")
          .filter((o) => o.getAttribute("aria-selected") === "true")
          .map((o) => o.dataset.runbookId),
      ).toEqual(["narrow-bottom-up"]),
    );
    await user.keyboard("{Tab}{Enter}");
    await screen.findByTestId("incident-title");
    expect(calls("start_incident")).toEqual([
      { title: "Replica lag", severity: null, runbooks: ["narrow-bottom-up"] },
    ]);
  });

  it("sends Ctrl+J to the start form when there is no incident", async () => {
    const { user } = await start({ seed: false });
    await screen.findByTestId("incident-list");
    await user.keyboard("gr");
    await screen.findByTestId("runbook-search");
    await user.keyboard("{Control>}j{/Control}");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("start-title")));
  });
});

describe("runbooks", () => {
  it("searches with highlighted snippets and previews the chosen runbook", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.click(screen.getByTestId("nav-runbooks"));
    await waitFor(() => expect(screen.getAllByTestId("runbook-row").length).toBe(5));
    await user.type(screen.getByTestId("runbook-search"), "replica");
    await waitFor(() => expect(screen.getAllByTestId("runbook-row")).toHaveLength(1));
    const row = screen.getByTestId("runbook-row");
    expect(row.dataset.runbookId).toBe("narrow-bottom-up");
    expect(row.querySelector("mark")?.textContent).toBe("replica");
    await waitFor(() => expect(screen.getByTestId("runbook-preview")).toHaveTextContent("Database replica set"));
  });

  it("imports a pasted path and lists each file's outcome and error", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.keyboard("gr");
    await user.type(await screen.findByTestId("import-path"), "/home/alice/runbooks/broken.md{Enter}");
    const report = await screen.findByTestId("import-report");
    expect(within(report).getByTestId("import-error").textContent).toBe(
      "/home/alice/runbooks/broken.md:7:1: probe fence: expected a `kind` (http, dns, tcp or tls)",
    );
    expect(calls("import_runbooks")).toEqual([{ paths: ["/home/alice/runbooks/broken.md"] }]);

    await user.click(screen.getByTestId("import-files"));
    await waitFor(() => expect(screen.getAllByTestId("import-ok")).toHaveLength(1));
    expect(screen.getByTestId("import-ok")).toHaveTextContent("imported");
    expect(screen.queryByTestId("import-error")).toBeNull();
  });

  it("imports what is dropped on the window, from any screen", async () => {
    await start();
    await screen.findByTestId("workspace");
    await emit("tauri://drag-drop", { paths: ["/tmp/team/db-failover.md"], position: { x: 1, y: 1 } });
    expect(await screen.findByTestId("import-report")).toBeInTheDocument();
    expect(screen.getByTestId("nav-runbooks")).toHaveAttribute("aria-current", "page");
    expect(calls("import_runbooks")).toEqual([{ paths: ["/tmp/team/db-failover.md"] }]);
  });
});

describe("help", () => {
  it("opens with ? and closes with Escape", async () => {
    const { user } = await start();
    await screen.findByTestId("workspace");
    await user.keyboard("?");
    expect(screen.getByTestId("shortcut-help")).toHaveTextContent("Ctrl+J");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("shortcut-help")).toBeNull();
  });
});
