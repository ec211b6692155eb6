// The Post-mortem screen's parts in a window-less DOM, over mocked IPC: a conflict shown
// side by side (Keep and Merge… replace every version), the section editor (Save sends
// the heads it opened with, whatever arrived meanwhile), the timeline's curation buttons;
// and the whole screen over the fake shell (demo/fake-shell.ts): g p, a section written,
// an entry starred, an action added, the document exported through the save dialog.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { PostmortemView } from "../src/lib/bindings";
import { resetPostmortem } from "../src/postmortem.svelte";
import ConflictView from "../src/components/postmortem/ConflictView.svelte";
import SectionCard from "../src/components/postmortem/SectionCard.svelte";
import TimelineCuration from "../src/components/postmortem/TimelineCuration.svelte";
import { installFakeShell, type FakeShell } from "../demo/fake-shell";
import App from "../src/App.svelte";
import { resetApp } from "../src/state.svelte";
import { INCIDENT, conflicted, pmEntry, pmView, version, written } from "./postmortem-fixtures";

/** Every command the components send, answered with `answer` (a fresh view). */
function shell(answer: () => PostmortemView = () => pmView()) {
  const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  mockIPC((cmd, payload) => {
    const args = ((payload as { args?: unknown } | undefined)?.args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    if (cmd === "render_markdown") return `<p>${String(args.markdown)}</p>`;
    return answer();
  });
  return { calls, of: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args) };
}

beforeEach(() => {
  document.body.innerHTML = "";
  resetPostmortem();
});

afterEach(() => {
  cleanup();
  clearMocks();
  delete (globalThis as { __FIREBREAK_E2E_DIALOG__?: unknown }).__FIREBREAK_E2E_DIALOG__;
});

describe("a conflict", () => {
  const alice = version({ author: "alice", text: "Checkout failed for EU users.", at: "2026-11-21T12:00:00.000Z" });
  const bob = version({ author: "bob", text: "Checkout failed for 40 minutes.", at: "2026-11-21T12:01:00.000Z" });

  it("shows every version side by side with who wrote it", () => {
    shell();
    render(ConflictView, { props: { incident: INCIDENT, section: conflicted(alice, bob) } });
    const versions = screen.getAllByTestId("conflict-version");
    expect(versions).toHaveLength(2);
    expect(within(versions[0]!).getByTestId("conflict-author")).toHaveTextContent("alice");
    expect(within(versions[0]!).getByTestId("conflict-text")).toHaveTextContent("Checkout failed for EU users.");
    expect(within(versions[1]!).getByTestId("conflict-author")).toHaveTextContent("bob");
    expect(within(versions[1]!).getByTestId("conflict-text")).toHaveTextContent("Checkout failed for 40 minutes.");
    expect(screen.getByTestId("section-conflict")).toHaveTextContent("2 versions were written at the same time");
  });

  it("Keep this one writes that version over both heads", async () => {
    const ipc = shell();
    const user = userEvent.setup();
    render(ConflictView, { props: { incident: INCIDENT, section: conflicted(alice, bob) } });
    const second = screen.getAllByTestId("conflict-version")[1]!;
    await user.click(within(second).getByTestId("conflict-keep"));
    await waitFor(() => expect(ipc.of("postmortem_edit_section")).toHaveLength(1));
    expect(ipc.of("postmortem_edit_section")[0]).toEqual({
      incident: INCIDENT,
      section: "summary",
      text: "Checkout failed for 40 minutes.",
      replaces: [alice.id, bob.id],
    });
  });

  it("Merge… opens the editor with every version, and Save replaces both", async () => {
    const ipc = shell();
    const user = userEvent.setup();
    render(SectionCard, { props: { incident: INCIDENT, section: conflicted(alice, bob) } });
    expect(screen.queryByTestId("section-edit")).toBeNull();
    await user.click(screen.getByTestId("conflict-merge"));
    const text = screen.getByTestId<HTMLTextAreaElement>("section-text");
    expect(text.value).toContain("Checkout failed for EU users.");
    expect(text.value).toContain("Checkout failed for 40 minutes.");
    await user.clear(text);
    await user.type(text, "Checkout failed for EU users for 40 minutes.");
    await user.click(screen.getByTestId("section-save"));
    await waitFor(() => expect(ipc.of("postmortem_edit_section")).toHaveLength(1));
    expect(ipc.of("postmortem_edit_section")[0]).toMatchObject({
      text: "Checkout failed for EU users for 40 minutes.",
      replaces: [alice.id, bob.id],
    });
    await waitFor(() => expect(screen.queryByTestId("section-editor")).toBeNull());
  });
});

describe("the section editor", () => {
  it("Save sends the heads captured when Edit was pressed, and says a version arrived meanwhile", async () => {
    const ipc = shell();
    const user = userEvent.setup();
    const mine = written("Checkout failed.");
    const { rerender } = render(SectionCard, { props: { incident: INCIDENT, section: mine } });
    expect(screen.getByTestId("section-body")).toHaveTextContent("Checkout failed.");
    await user.click(screen.getByTestId("section-edit"));
    const opened = [...mine.heads];
    expect(screen.getByTestId<HTMLTextAreaElement>("section-text").value).toBe("Checkout failed.");
    expect(screen.queryByTestId("section-moved-on")).toBeNull();

    // Bob's version arrives with a sync while the editor is open.
    const theirs = version({ author: "bob", text: "Checkout failed for 40 minutes." });
    await rerender({ incident: INCIDENT, section: { ...written("Checkout failed for 40 minutes."), heads: [theirs.id] } });
    expect(screen.getByTestId("section-moved-on")).toBeInTheDocument();
    const text = screen.getByTestId<HTMLTextAreaElement>("section-text");
    // The editor keeps what was typed.
    expect(text.value).toBe("Checkout failed.");

    await user.type(text, " For EU users.");
    await user.click(screen.getByTestId("section-save"));
    await waitFor(() => expect(ipc.of("postmortem_edit_section")).toHaveLength(1));
    expect(ipc.of("postmortem_edit_section")[0]).toEqual({
      incident: INCIDENT,
      section: "summary",
      text: "Checkout failed. For EU users.",
      replaces: opened,
    });
  });

  it("writes an empty section from nothing, previews it, and cancels without writing", async () => {
    const ipc = shell();
    const user = userEvent.setup();
    const { rerender } = render(SectionCard, { props: { incident: INCIDENT, section: pmView().sections[0]! } });
    expect(screen.getByTestId("section-prompt")).toHaveTextContent("what broke, for whom");
    expect(screen.getByTestId("section-badge")).toHaveTextContent("not written");
    await user.click(screen.getByTestId("section-edit"));
    await user.type(screen.getByTestId("section-text"), "**Checkout** failed.");
    await user.click(screen.getByTestId("section-preview-tab"));
    await waitFor(() => expect(screen.getByTestId("section-preview")).toHaveTextContent("**Checkout** failed."));
    await user.click(screen.getByTestId("section-cancel"));
    expect(screen.queryByTestId("section-editor")).toBeNull();
    expect(ipc.of("postmortem_edit_section")).toHaveLength(0);

    // From the log: badged, and the editor starts from the log's words.
    await rerender({ incident: INCIDENT, section: { ...pmView().sections[0]!, state: "from_log", text: "From the log.", html: "<p>From the log.</p>" } });
    expect(screen.getByTestId("section-badge")).toHaveTextContent("from the log");
    await user.click(screen.getByTestId("section-edit"));
    expect(screen.getByTestId<HTMLTextAreaElement>("section-text").value).toBe("From the log.");
    await user.click(screen.getByTestId("section-save"));
    await waitFor(() => expect(ipc.of("postmortem_edit_section")[0]).toMatchObject({ text: "From the log.", replaces: [] }));
  });

  it("says why a save was refused and keeps the editor open", async () => {
    mockIPC((cmd) => {
      if (cmd === "postmortem_edit_section") throw { code: "rejected", message: "event x is not a version of section summary" };
      return pmView();
    });
    const user = userEvent.setup();
    render(SectionCard, { props: { incident: INCIDENT, section: written("x") } });
    await user.click(screen.getByTestId("section-edit"));
    await user.click(screen.getByTestId("section-save"));
    const error = await screen.findByTestId("section-error");
    expect(error).toHaveAttribute("data-code", "rejected");
    expect(screen.getByTestId("section-editor")).toBeInTheDocument();
  });
});

describe("the timeline's curation", () => {
  const plain = pmEntry({ text: "p99 at 4 s on checkout" });
  const starred = pmEntry({ text: "rolled back release 412", starred: true, key: "mitigation" });
  const hidden = pmEntry({ text: "coffee", hidden: true, in_document: false });
  const view = pmView({ timeline: [plain, starred, hidden] });

  const row = (id: string) => screen.getAllByTestId("pm-entry").find((e) => e.dataset.entryId === id)!;

  it("stars, unstars, hides and shows entries; hidden ones only on request", async () => {
    const ipc = shell();
    const user = userEvent.setup();
    render(TimelineCuration, { props: { view } });
    expect(screen.getAllByTestId("pm-entry")).toHaveLength(2);
    expect(within(row(starred.id)).getByTestId("pm-entry-key")).toHaveTextContent("mitigation");
    expect(row(starred.id)).toHaveAttribute("data-starred", "true");

    await user.click(within(row(plain.id)).getByTestId("pm-entry-star"));
    await user.click(within(row(starred.id)).getByTestId("pm-entry-star"));
    await user.click(within(row(plain.id)).getByTestId("pm-entry-hide"));
    await user.click(screen.getByTestId("timeline-show-hidden"));
    expect(screen.getAllByTestId("pm-entry")).toHaveLength(3);
    expect(row(hidden.id)).toHaveAttribute("data-hidden", "true");
    await user.click(within(row(hidden.id)).getByTestId("pm-entry-hide"));
    await waitFor(() => expect(ipc.of("postmortem_mark")).toHaveLength(4));
    expect(ipc.of("postmortem_mark")).toEqual([
      { incident: INCIDENT, entry: plain.id, mark: "star" },
      { incident: INCIDENT, entry: starred.id, mark: "unstar" },
      { incident: INCIDENT, entry: plain.id, mark: "hide" },
      { incident: INCIDENT, entry: hidden.id, mark: "show" },
    ]);
  });

  it("annotates an entry inline, replacing the annotation's heads", async () => {
    const ipc = shell();
    const user = userEvent.setup();
    const note = version({ text: "the first sign" });
    const annotated = pmEntry({ annotation: { versions: [note], heads: [note.id], conflict: false }, annotation_heads: [note.id] });
    render(TimelineCuration, { props: { view: pmView({ timeline: [annotated] }) } });
    expect(screen.getByTestId("pm-entry-annotation")).toHaveTextContent("the first sign");
    await user.click(screen.getByTestId("pm-entry-annotate"));
    const input = screen.getByTestId<HTMLInputElement>("pm-entry-annotation-input");
    expect(input.value).toBe("the first sign");
    await user.clear(input);
    await user.type(input, "the first sign, 14:02{Enter}");
    await waitFor(() => expect(ipc.of("postmortem_annotate")).toHaveLength(1));
    expect(ipc.of("postmortem_annotate")[0]).toEqual({
      incident: INCIDENT,
      entry: annotated.id,
      text: "the first sign, 14:02",
      replaces: [note.id],
    });
    await waitFor(() => expect(screen.queryByTestId("pm-entry-annotation-input")).toBeNull());
  });
});

describe("the Post-mortem screen", () => {
  let fake: FakeShell;

  afterEach(() => fake.dispose());

  it("opens with g p, writes a section, stars an entry, adds an action and exports the Markdown", async () => {
    resetApp();
    fake = installFakeShell({ seed: true });
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("workspace");
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("gp");
    await screen.findByTestId("postmortem-screen");
    await waitFor(() => expect(screen.getByTestId("postmortem-incident")).toHaveTextContent("Checkout returns 500 for all users"));
    expect(screen.getAllByTestId("postmortem-section").map((s) => s.dataset.section)).toEqual([
      "summary",
      "impact",
      "issue-reported",
      "detection",
      "root-causes",
      "contributing-factors",
      "mitigation",
      "went-well",
      "went-wrong",
      "got-lucky",
      "supporting-data",
    ]);
    expect(screen.getAllByTestId("postmortem-milestone")).toHaveLength(4);
    expect(screen.getAllByTestId("tollgate-row")).toHaveLength(3);

    // The summary.
    const summary = () => screen.getAllByTestId("postmortem-section").find((s) => s.dataset.section === "summary")!;
    expect(summary()).toHaveAttribute("data-state", "from_log");
    await user.click(within(summary()).getByTestId("section-edit"));
    const text = within(summary()).getByTestId<HTMLTextAreaElement>("section-text");
    await user.clear(text);
    await user.type(text, "Checkout failed for every user for 40 minutes.");
    await user.click(within(summary()).getByTestId("section-save"));
    await waitFor(() => expect(summary()).toHaveAttribute("data-state", "written"));
    expect(within(summary()).getByTestId("section-body")).toHaveTextContent("Checkout failed for every user for 40 minutes.");

    // A star.
    const first = screen.getAllByTestId("pm-entry")[1]!;
    const id = first.dataset.entryId!;
    await user.click(within(first).getByTestId("pm-entry-star"));
    await waitFor(() =>
      expect(screen.getAllByTestId("pm-entry").find((e) => e.dataset.entryId === id)).toHaveAttribute("data-starred", "true"),
    );

    // An action.
    await user.type(screen.getByTestId("action-new-text"), "Canary every release");
    await user.selectOptions(screen.getByTestId("action-new-class"), "preventive");
    await user.type(screen.getByTestId("action-new-owner"), "dmitri");
    await user.click(screen.getByTestId("action-add"));
    const action = await screen.findByTestId("action-row");
    expect(within(action).getByTestId("action-text")).toHaveTextContent("Canary every release");
    await user.selectOptions(within(action).getByTestId("action-status"), "in-progress");
    await waitFor(() => expect(screen.getByTestId("action-row")).toHaveAttribute("data-status", "in-progress"));
    expect(screen.getByTestId("postmortem-authors")).toHaveTextContent("alice");

    // A milestone set by hand, then cleared.
    const detected = () => screen.getAllByTestId("postmortem-milestone").find((m) => m.dataset.milestone === "detected")!;
    await user.click(within(detected()).getByTestId("milestone-set"));
    const field = within(detected()).getByTestId<HTMLInputElement>("milestone-input");
    await user.clear(field);
    await user.type(field, "2026-11-21T14:02");
    await user.click(within(detected()).getByTestId("milestone-save"));
    await waitFor(() => expect(detected()).toHaveAttribute("data-source", "set"));
    expect(within(detected()).getByTestId("milestone-source")).toHaveTextContent("set by alice");
    await user.click(within(detected()).getByTestId("milestone-clear"));
    await waitFor(() => expect(detected()).toHaveAttribute("data-source", "log"));

    // The document: previewed, then exported through the save dialog.
    await user.click(screen.getByTestId("postmortem-tab-document"));
    expect(screen.getByTestId("postmortem-document")).toHaveTextContent("Checkout failed for every user for 40 minutes.");
    await user.click(screen.getByTestId("postmortem-export-markdown"));
    const saved = await screen.findByTestId("postmortem-exported-path");
    const path = "/home/alice/Documents/checkout-returns-500-for-all-users-postmortem.md";
    expect(saved).toHaveTextContent(path);
    const doc = fake.documents.get(path) ?? "";
    expect(doc).toContain("Checkout failed for every user for 40 minutes.");
    expect(doc).toContain("★ ");
    expect(doc).toContain("| Canary every release | preventive | dmitri | — | in progress |");
  });

  it("is reached from the incident header, and says when there is no incident", async () => {
    resetApp();
    fake = installFakeShell({ seed: true });
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("workspace");
    await user.click(screen.getByTestId("postmortem-button"));
    await screen.findByTestId("postmortem-screen");
    await screen.findByTestId("postmortem-header");
    cleanup();
    fake.dispose();

    resetApp();
    fake = installFakeShell({ seed: false });
    render(App);
    await screen.findByTestId("incident-list");
    await user.click(screen.getByTestId("nav-postmortem"));
    await screen.findByTestId("postmortem-empty");
  });
});
