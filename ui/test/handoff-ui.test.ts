// Handoffs in the window, over the fake shell (demo/fake-shell.ts behind mockIPC): the
// incoming-handoff banner on every screen (Open, Accept; refreshed on store-changed and
// sync-changed), the Handoff screen (the draft, the recipient, Send via hub only with a
// hub, Export to file through the save dialog, Import through the open dialog, the
// history), and concluding hypotheses and actions from the timeline.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { installFakeShell, type FakeShell, type FakeShellOptions } from "../demo/fake-shell";
import App from "../src/App.svelte";
import { resetApp } from "../src/state.svelte";

let shell: FakeShell;
const TOKEN = "fbk_demo_token_alice";

async function start(options: FakeShellOptions = { seed: true }) {
  resetApp();
  shell = installFakeShell(options);
  shell.hub.roundMs = 20;
  const user = userEvent.setup();
  render(App);
  await screen.findByTestId("workspace");
  return { user };
}

const calls = (cmd: string) => shell.calls.filter((c) => c.cmd === cmd).map((c) => c.args as Record<string, unknown>);
const note = () => screen.getByTestId<HTMLTextAreaElement>("handoff-note");

async function openHandoffScreen(user: ReturnType<typeof userEvent.setup>) {
  (document.activeElement as HTMLElement | null)?.blur();
  await user.keyboard("go");
  await screen.findByTestId("handoff-screen");
  await waitFor(() => expect(note().value).toContain("# Handoff: Checkout returns 500 for all users"));
}

beforeEach(() => {
  document.body.innerHTML = "";
});

afterEach(() => {
  cleanup();
  shell.dispose();
  clearMocks();
});

describe("the incoming-handoff banner", () => {
  it("shows a handoff waiting for the author on every screen; Open shows the note first", async () => {
    const { user } = await start({ seed: true, inbox: true });
    const banner = await screen.findByTestId("handoff-banner");
    expect(banner).toHaveAttribute("data-count", "1");
    expect(banner).toHaveTextContent("dmitri handed you “Nightly billing export stuck”");
    await user.click(screen.getByTestId("nav-runbooks"));
    expect(screen.getByTestId("handoff-banner")).toBeInTheDocument();

    await user.click(screen.getByTestId("handoff-banner-open"));
    await screen.findByTestId("handoff-screen");
    expect(screen.getByTestId("handoff-incident")).toHaveTextContent("Nightly billing export stuck");
    const item = await screen.findByTestId("handoff-item");
    expect(item).toHaveAttribute("data-state", "waiting");
    expect(within(item).getByTestId("handoff-item-note")).toHaveTextContent("restart it from the last checkpoint");
    expect(within(item).getByTestId("handoff-item-note").closest("details")).toHaveAttribute("open");
    expect(calls("accept_handoff")).toHaveLength(0);

    // Accepting here records the takeover; the banner goes.
    await user.click(within(item).getByTestId("handoff-item-accept"));
    await waitFor(() => expect(screen.getByTestId("handoff-item")).toHaveAttribute("data-state", "accepted"));
    expect(calls("accept_handoff")).toEqual([{ handoff: shell.incidents[0]!.handoffs[0]!.id, force: false }]);
    await waitFor(() => expect(screen.queryByTestId("handoff-banner")).toBeNull());
    expect(screen.getByTestId("handoff-item-status")).toHaveTextContent("taken over by alice");
  });

  it("Accept takes the incident over and opens it, with the leader role moved", async () => {
    const { user } = await start({ seed: true, inbox: true });
    await user.click(await screen.findByTestId("handoff-banner-accept"));
    await waitFor(() => expect(screen.getByTestId("incident-title")).toHaveTextContent("Nightly billing export stuck"));
    await waitFor(() => expect(screen.queryByTestId("handoff-banner")).toBeNull());
    const timeline = screen.getByTestId("timeline");
    await waitFor(() => expect(timeline).toHaveTextContent("Took over from dmitri"));
    expect(shell.incidents[0]!.roles.get("leader")).toBe("alice");
  });

  it("appears when a handoff arrives with a sync, and says why an Accept failed", async () => {
    const { user } = await start();
    await waitFor(() => expect(calls("handoff_inbox").length).toBeGreaterThan(0));
    expect(screen.queryByTestId("handoff-banner")).toBeNull();
    const h = await shell.pulledHandoff("bob");
    await waitFor(() => expect(screen.getByTestId("handoff-banner")).toHaveTextContent("bob handed you “Checkout returns 500 for all users”"));

    // Someone else was quicker (their takeover arrives with the next sync).
    const handoff = shell.incidents[1]!.handoffs[0]!;
    handoff.accepted_by = "carol";
    handoff.accepted_at = new Date().toISOString();
    await user.click(screen.getByTestId("handoff-banner-accept"));
    const error = await screen.findByTestId("handoff-banner-error");
    expect(error).toHaveAttribute("data-code", "handoff_taken");
    expect(error).toHaveTextContent(`handoff ${h.id} was already taken over by carol`);
    await emit("sync-changed");
    await waitFor(() => expect(screen.queryByTestId("handoff-banner")).toBeNull());
  });
});

describe("the inbox and the author's name", () => {
  it("is the inbox of whoever the app records as", async () => {
    const { user } = await start({ seed: true, inbox: true });
    await screen.findByTestId("handoff-banner");
    await user.click(screen.getByTestId("author"));
    const input = screen.getByLabelText("Your name in the log");
    await user.clear(input);
    await user.keyboard("carol{Enter}");
    await waitFor(() => expect(screen.queryByTestId("handoff-banner")).toBeNull());
  });
});

describe("the Handoff screen", () => {
  it("drafts the note, follows the recipient until it is edited, and sends it only with a hub", async () => {
    const { user } = await start();
    await openHandoffScreen(user);
    expect(note().value).toContain("to **the next responder**");
    expect(screen.getByTestId("handoff-state-status")).toHaveTextContent("identified");
    expect(screen.getByTestId("handoff-state-checklist")).toHaveAttribute("data-done", "3");
    expect(screen.getAllByTestId("handoff-state-probe").length).toBeGreaterThan(0);
    expect(screen.getByTestId("handoff-history-empty")).toBeInTheDocument();

    // Not connected: Send is off and says why; Export needs a name first.
    const send = screen.getByTestId("handoff-send");
    expect(send).toBeDisabled();
    expect(screen.getByTestId("handoff-send-why")).toHaveTextContent("No hub is connected");
    expect(screen.getByTestId("handoff-export")).toBeDisabled();
    expect(screen.getByTestId("handoff-need-to")).toBeInTheDocument();

    await user.type(screen.getByTestId("handoff-to"), "bob");
    await waitFor(() => expect(note().value).toContain("to **bob**"));
    expect(calls("draft_handoff").at(-1)).toEqual({ incident: shell.incidents[1]!.id, to: "bob" });

    // Edited: the person's words stay, whoever the note is for.
    await user.click(note());
    await user.keyboard("{Control>}{End}{/Control}");
    await user.type(note(), "\nCall the PSP at 06:00.");
    expect(screen.getByTestId("handoff-edited")).toBeInTheDocument();
    const drafts = calls("draft_handoff").length;
    await user.clear(screen.getByTestId("handoff-to"));
    await user.type(screen.getByTestId("handoff-to"), "carol");
    await new Promise((r) => setTimeout(r, 400));
    expect(calls("draft_handoff").length).toBe(drafts);
    expect(note().value).toContain("Call the PSP at 06:00.");

    // The preview reads as it will be read.
    await user.click(screen.getByTestId("handoff-tab-preview"));
    await waitFor(() => expect(screen.getByTestId("handoff-preview").querySelector("h1")).toHaveTextContent("Handoff: Checkout returns 500"));
    await user.click(screen.getByTestId("handoff-tab-write"));

    // With a hub, Send records it and says it goes at the next sync.
    shell.hub.connect({ url: shell.hub.url, token: TOKEN, offline: false });
    await emit("sync-changed");
    await waitFor(() => expect(screen.getByTestId("handoff-send")).toBeEnabled());
    await user.click(screen.getByTestId("handoff-send"));
    const sent = await screen.findByTestId("handoff-sent");
    expect(sent).toHaveAttribute("data-delivery", "hub");
    expect(sent).toHaveTextContent("Sent to carol — delivered through hub.example.com at the next sync.");
    const args = calls("send_handoff")[0]!;
    expect(args.to).toBe("carol");
    expect(args.note).toContain("Call the PSP at 06:00.");
    const item = await screen.findByTestId("handoff-item");
    expect(item).toHaveAttribute("data-state", "waiting");
    expect(within(item).getByTestId("handoff-item-people")).toHaveTextContent("you → carol");
    expect(within(item).queryByTestId("handoff-item-accept")).toBeNull();
  });

  it("follows the log while the note is untouched, and stops once it is edited", async () => {
    const { user } = await start();
    await openHandoffScreen(user);
    const before = calls("draft_handoff").length;
    await shell.cliNote("bob restarted the workers");
    await waitFor(() => expect(calls("draft_handoff").length).toBe(before + 1));
    await user.type(note(), "\nMy words.");
    await shell.cliNote("another note from the CLI");
    await new Promise((r) => setTimeout(r, 500));
    expect(calls("draft_handoff").length).toBe(before + 1);
    expect(note().value).toContain("My words.");
  });

  it("exports the edited note to the file the save dialog names, and says where", async () => {
    const { user } = await start();
    await openHandoffScreen(user);
    await user.type(screen.getByTestId("handoff-to"), "bob");
    await waitFor(() => expect(note().value).toContain("to **bob**"));
    await user.type(note(), "\nThe PSP ticket is 4411.");
    await user.click(screen.getByTestId("handoff-export"));
    const done = await screen.findByTestId("handoff-exported");
    expect(screen.getByTestId("handoff-exported-path")).toHaveTextContent(
      "/home/alice/Documents/checkout-returns-500-for-all-users-handoff-to-bob.json",
    );
    expect(done).toHaveTextContent("give bob the file");
    const args = calls("export_handoff")[0]!;
    expect(args).toMatchObject({ to: "bob", overwrite: true, path: "/home/alice/Documents/checkout-returns-500-for-all-users-handoff-to-bob.json" });
    expect(String(args.note)).toContain("The PSP ticket is 4411.");
    expect(shell.files.get(String(args.path))?.note).toContain("The PSP ticket is 4411.");
    await screen.findByTestId("handoff-item");

    // A failure says why, with its code.
    shell.handle = ((handle) => (cmd: string, payload: unknown) => {
      if (cmd === "plugin:dialog|save") return "/read-only/handoff.json";
      return handle(cmd, payload);
    })(shell.handle.bind(shell));
    await user.click(screen.getByTestId("handoff-export"));
    const error = await screen.findByTestId("handoff-error");
    expect(error).toHaveAttribute("data-code", "io");
    expect(error).toHaveTextContent("nothing was recorded");
  });

  it("imports a bundle from the open dialog, takes it over and shows the incident", async () => {
    const { user } = await start();
    shell.files.set("/home/alice/Downloads/handoff.json", {
      title: "Queue backlog in EU",
      from: "bob",
      to: "Alice",
      note: "# Handoff: Queue backlog in EU\n\nWatch the consumer lag.",
    });
    await user.click(screen.getByTestId("nav-handoff"));
    await screen.findByTestId("handoff-screen");
    await user.click(screen.getByTestId("handoff-import"));
    const result = await screen.findByTestId("handoff-import-result");
    expect(result).toHaveAttribute("data-accepted", "true");
    expect(result).toHaveTextContent("“Queue backlog in EU” from bob, for Alice.");
    expect(result).toHaveTextContent("You took it over (leader moved to you).");
    await waitFor(() => expect(screen.getByTestId("handoff-incident")).toHaveTextContent("Queue backlog in EU"));
    const item = await screen.findByTestId("handoff-item");
    expect(item).toHaveAttribute("data-state", "accepted");
    expect(within(item).getByTestId("handoff-item-note")).toHaveTextContent("Watch the consumer lag.");
    expect(calls("import_handoff")).toEqual([{ path: "/home/alice/Downloads/handoff.json" }]);
    expect(screen.queryByTestId("handoff-banner")).toBeNull();

    // A damaged file: nothing imported, the reason and its code shown.
    shell.openBundlePath = "/home/alice/Downloads/truncated.json";
    await user.click(screen.getByTestId("handoff-import"));
    const error = await screen.findByTestId("handoff-import-error");
    expect(error).toHaveAttribute("data-code", "bad_bundle");
    expect(error).toHaveTextContent("ends early");
    expect(screen.queryByTestId("handoff-import-result")).toBeNull();
  });

  it("offers only the import without an open incident", async () => {
    resetApp();
    shell = installFakeShell({ seed: false });
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("incident-list");
    await user.click(screen.getByTestId("nav-handoff"));
    expect(await screen.findByTestId("handoff-empty")).toHaveTextContent("No open incident to hand over");
    expect(screen.getByTestId("handoff-import")).toBeEnabled();
  });
});

describe("concluding from the timeline", () => {
  it("rules out a hypothesis with a reason, and marks it", async () => {
    const { user } = await start();
    const timeline = screen.getByTestId("timeline");
    const entry = within(timeline)
      .getAllByTestId("timeline-entry")
      .find((e) => e.textContent?.includes("Bad deploy at 12:55"))!;
    const buttons = within(entry).getAllByTestId("entry-conclude");
    expect(buttons.map((b) => b.dataset.outcome)).toEqual(["confirmed", "ruled_out"]);
    await user.click(buttons[1]!);
    const input = within(entry).getByTestId("entry-edit-input");
    expect(document.activeElement).toBe(input);
    await user.keyboard("the deploy was rolled back and errors stayed{Enter}");
    await waitFor(() => expect(within(entry).getByTestId("entry-outcome")).toHaveAttribute("data-outcome", "ruled_out"));
    expect(within(entry).getByTestId("entry-outcome")).toHaveTextContent("ruled out");
    expect(calls("conclude_finding")).toEqual([
      { event: entry.dataset.eventId, outcome: "ruled_out", note: "the deploy was rolled back and errors stayed" },
    ]);
    // Only the other outcome is left to say.
    expect(within(entry).getAllByTestId("entry-conclude").map((b) => b.dataset.outcome)).toEqual(["confirmed"]);
    await waitFor(() => expect(timeline).toHaveTextContent("Hypothesis ruled out: Bad deploy at 12:55"));
  });

  it("marks an action done; Esc cancels; decisions have no outcome", async () => {
    const { user } = await start();
    const timeline = screen.getByTestId("timeline");
    const find = (text: string) => within(timeline).getAllByTestId("timeline-entry").find((e) => e.textContent?.includes(text))!;
    const action = find("Rollback started");
    await user.click(within(action).getAllByTestId("entry-conclude")[0]!);
    await user.keyboard("{Escape}");
    expect(within(action).queryByTestId("entry-edit-input")).toBeNull();
    expect(calls("conclude_finding")).toHaveLength(0);
    await user.click(within(action).getAllByTestId("entry-conclude")[0]!);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(within(action).getByTestId("entry-outcome")).toHaveAttribute("data-outcome", "done"));
    expect(calls("conclude_finding")[0]).toMatchObject({ outcome: "done", note: null });
    expect(within(find("Roll back checkout")).queryByTestId("entry-conclude")).toBeNull();
  });

  it("records what customers were told as an update", async () => {
    const { user } = await start();
    const input = screen.getByTestId("note-input");
    await user.click(input);
    await user.keyboard("/u Status page: checkout degraded, fix rolling out{Enter}");
    await waitFor(() => expect(calls("add_note").at(-1)).toMatchObject({ kind: "update", text: "Status page: checkout degraded, fix rolling out" }));
    const entry = await waitFor(() => {
      const e = screen.getAllByTestId("timeline-entry").find((x) => x.textContent?.includes("Status page: checkout degraded"));
      expect(e).toBeDefined();
      return e!;
    });
    expect(entry).toHaveAttribute("data-kind", "update");
    expect(screen.getByTestId<HTMLSelectElement>("note-kind").options.length).toBe(6);
  });
});
