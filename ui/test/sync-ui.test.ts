// Sync in the window, over the fake shell (demo/fake-shell.ts with its fake hub): the
// status bar's phases, pending count and last sync; the hub screen's connect, refusal,
// offline save, sync now and disconnect; other responders' entries in the timeline.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { installFakeShell, type FakeShell } from "../demo/fake-shell";
import App from "../src/App.svelte";
import { resetApp } from "../src/state.svelte";

let shell: FakeShell;
const TOKEN = "fbk_demo_token_alice";

async function start() {
  resetApp();
  shell = installFakeShell({ seed: true });
  shell.hub.roundMs = 20;
  const user = userEvent.setup();
  render(App);
  await screen.findByTestId("workspace");
  return { user };
}

const calls = (cmd: string) => shell.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
const syncState = () => screen.getByTestId("sync-state");
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000 - 5_000).toISOString();

beforeEach(() => {
  document.body.innerHTML = "";
});

afterEach(() => {
  cleanup();
  shell.dispose();
  clearMocks();
});

describe("the status bar", () => {
  it("says local only until a hub is set up", async () => {
    await start();
    await waitFor(() => expect(calls("sync_status").length).toBeGreaterThan(0));
    expect(syncState()).toHaveAttribute("data-phase", "not_connected");
    expect(syncState()).toHaveTextContent("Local only");
    expect(syncState().title).toContain("stay on this machine");
    expect(screen.queryByTestId("sync-pending")).toBeNull();
    expect(screen.queryByTestId("sync-last")).toBeNull();
  });

  it("follows the phase, the pending count and the last sync when the shell says sync changed", async () => {
    await start();
    await waitFor(() => expect(calls("sync_status").length).toBeGreaterThan(0));
    const loads = calls("sync_status").length;
    shell.hub.connection = {
      url: "https://hub.example.com",
      user: "alice",
      phase: "offline",
      pending: 3,
      last_attempt_at: minutesAgo(0),
      last_success_at: minutesAgo(2),
      error: { kind: "unreachable", message: "cannot reach the hub at https://hub.example.com: connection refused" },
      next_attempt_at: new Date(Date.now() + 30_000).toISOString(),
    };
    await emit("sync-changed");
    await waitFor(() => expect(syncState()).toHaveAttribute("data-phase", "offline"));
    expect(calls("sync_status").length).toBe(loads + 1);
    expect(syncState()).toHaveTextContent("Offline");
    const pending = screen.getByTestId("sync-pending");
    expect(pending).toHaveAttribute("data-count", "3");
    expect(pending).toHaveTextContent("3 pending");
    expect(screen.getByTestId("sync-last")).toHaveTextContent("synced 2 min ago");
    expect(syncState().title).toContain("Hub: https://hub.example.com");
    expect(syncState().title).toContain("Last error: cannot reach the hub");

    shell.hub.connection.phase = "syncing";
    await emit("sync-changed");
    await waitFor(() => expect(syncState()).toHaveTextContent("Syncing…"));

    shell.hub.connection = { ...shell.hub.connection, phase: "synced", pending: 0, error: null, last_success_at: minutesAgo(0) };
    await emit("sync-changed");
    await waitFor(() => expect(syncState()).toHaveAttribute("data-phase", "synced"));
    expect(syncState()).toHaveTextContent("Synced");
    expect(screen.queryByTestId("sync-pending")).toBeNull();
    expect(screen.getByTestId("sync-last")).toHaveTextContent("synced just now");

    shell.hub.connection = {
      ...shell.hub.connection,
      phase: "failed",
      error: { kind: "unauthorized", message: "the hub does not accept this store's token" },
    };
    await emit("sync-changed");
    await waitFor(() => expect(syncState()).toHaveTextContent("Sync failed"));
    expect(syncState().title).toContain("does not accept this store's token");
  });

  it("opens the hub screen on click", async () => {
    const { user } = await start();
    await user.click(syncState());
    expect(await screen.findByTestId("hub-settings")).toBeInTheDocument();
    expect(screen.getByTestId("nav-hub")).toHaveAttribute("aria-current", "page");
    expect(screen.getByTestId("hub-state")).toHaveAttribute("data-phase", "not_connected");
  });
});

describe("the hub screen", () => {
  it("refuses a wrong token or an unreachable hub with the reason and saves nothing, then connects", async () => {
    const { user } = await start();
    await user.click(screen.getByTestId("nav-hub"));
    await screen.findByTestId("hub-settings");
    const url = screen.getByTestId("hub-url");
    const token = screen.getByTestId("hub-token");
    expect(token).toHaveAttribute("type", "password");
    expect(screen.getByTestId("hub-connect")).toBeDisabled();

    await user.type(url, "https://hub.example.com");
    await user.type(token, "not-the-token");
    await user.click(screen.getByTestId("hub-connect"));
    const error = await screen.findByTestId("hub-error");
    expect(error).toHaveAttribute("data-code", "hub_unauthorized");
    expect(error).toHaveTextContent("Nothing was saved");
    expect(shell.hub.connection).toBeNull();
    expect(screen.queryByTestId("hub-connected-url")).toBeNull();
    expect(syncState()).toHaveAttribute("data-phase", "not_connected");

    await user.clear(url);
    await user.type(url, "https://elsewhere.example.com");
    await user.clear(token);
    await user.type(token, TOKEN);
    await user.click(screen.getByTestId("hub-connect"));
    await waitFor(() => expect(screen.getByTestId("hub-error")).toHaveAttribute("data-code", "hub_unreachable"));
    expect(screen.getByTestId("hub-error")).toHaveTextContent("Save offline");
    expect(shell.hub.connection).toBeNull();

    await user.clear(url);
    await user.type(url, "https://hub.example.com/");
    await user.click(screen.getByTestId("hub-connect"));
    expect(await screen.findByTestId("hub-connected-url")).toHaveTextContent("https://hub.example.com");
    expect(calls("connect_hub").at(-1)).toEqual({ url: "https://hub.example.com/", token: TOKEN, offline: false });
    expect(screen.queryByTestId("hub-error")).toBeNull();
    // The token is not kept in the form once it has been sent.
    expect(screen.getByTestId("hub-token")).toHaveValue("");
    await waitFor(() => expect(screen.getByTestId("hub-state")).toHaveAttribute("data-phase", "synced"));
    expect(syncState()).toHaveTextContent("Synced");
    expect(screen.getByTestId("hub-user")).toHaveTextContent("alice");
    expect(screen.getByTestId("hub-clock")).toHaveTextContent("hub is 420 ms ahead");
    expect(screen.queryByTestId("hub-clock-skew")).toBeNull();
    // Nothing the shell answered carries the token.
    expect(JSON.stringify(shell.hub.status())).not.toContain(TOKEN);
  });

  it("saves offline, shows why it is offline, syncs now, and disconnects only after confirming", async () => {
    const { user } = await start();
    shell.hub.up = false;
    shell.hub.clockOffsetMs = -95_000;
    await user.click(screen.getByTestId("nav-hub"));
    await user.type(await screen.findByTestId("hub-url"), "https://hub.example.com");
    await user.type(screen.getByTestId("hub-token"), TOKEN);
    await user.click(screen.getByTestId("hub-offline"));
    expect(screen.getByTestId("hub-connect")).toHaveTextContent("Save");
    await user.click(screen.getByTestId("hub-connect"));
    expect(calls("connect_hub").at(-1)).toMatchObject({ offline: true });
    await waitFor(() => expect(screen.getByTestId("hub-state")).toHaveAttribute("data-phase", "offline"));
    expect(screen.getByTestId("hub-last-error")).toHaveTextContent("cannot reach the hub");
    expect(syncState()).toHaveTextContent("Offline");

    shell.hub.up = true;
    await user.click(screen.getByTestId("hub-sync-now"));
    expect(calls("sync_now")).toHaveLength(1);
    await waitFor(() => expect(screen.getByTestId("hub-state")).toHaveAttribute("data-phase", "synced"));
    expect(screen.queryByTestId("hub-last-error")).toBeNull();
    expect(screen.getByTestId("hub-clock-skew")).toHaveTextContent("over a minute off");

    // Disconnect asks first; the safe answer has focus and Cancel keeps everything.
    await user.click(screen.getByTestId("hub-disconnect"));
    expect(document.activeElement).toBe(screen.getByTestId("hub-disconnect-cancel"));
    await user.click(screen.getByTestId("hub-disconnect-cancel"));
    expect(calls("disconnect_hub")).toHaveLength(0);
    expect(screen.getByTestId("hub-connected-url")).toBeInTheDocument();
    await user.click(screen.getByTestId("hub-disconnect"));
    await user.click(screen.getByTestId("hub-disconnect-confirm"));
    await waitFor(() => expect(screen.getByTestId("hub-state")).toHaveAttribute("data-phase", "not_connected"));
    expect(calls("disconnect_hub")).toHaveLength(1);
    expect(screen.queryByTestId("hub-connected-url")).toBeNull();
    expect(syncState()).toHaveTextContent("Local only");
  });

  it("counts a new note as pending until the worker has pushed it", async () => {
    const { user } = await start();
    shell.hub.connect({ url: shell.hub.url, token: TOKEN, offline: false });
    await emit("sync-changed");
    await waitFor(() => expect(syncState()).toHaveAttribute("data-phase", "synced"));
    shell.hub.roundMs = 400;
    await user.type(screen.getByTestId("note-input"), "replica lag back under 1 s{Enter}");
    await waitFor(() => expect(screen.getByTestId("sync-pending")).toHaveAttribute("data-count", "1"));
    await waitFor(() => expect(screen.queryByTestId("sync-pending")).toBeNull());
    expect(syncState()).toHaveAttribute("data-phase", "synced");
  });
});

describe("other responders in the timeline", () => {
  it("marks an entry pulled from the hub with its author, and not our own", async () => {
    await start();
    const timeline = await screen.findByTestId("timeline");
    await shell.pulledNote("bob", "EU region recovered after the rollback");
    const entry = (await within(timeline).findByText("EU region recovered after the rollback")).closest("li")!;
    const author = within(entry).getByTestId("entry-author");
    expect(author).toHaveTextContent("bob");
    expect(author).toHaveAttribute("data-other", "true");
    expect(author.title).toContain("another device");
    const mine = within(timeline)
      .getAllByTestId("entry-author")
      .filter((a) => a.textContent === "alice");
    expect(mine.length).toBeGreaterThan(0);
    for (const a of mine) expect(a).toHaveAttribute("data-other", "false");
  });
});
