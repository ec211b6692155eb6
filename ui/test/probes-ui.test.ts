// Probes in the workspace over the fake shell (demo/fake-shell.ts): running a step's
// probes, the approval question, placeholders and variables, sections, the probe box,
// watches, and probe entries in the timeline.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { installFakeShell, type FakeShell } from "../demo/fake-shell";
import App from "../src/App.svelte";
import { resetApp } from "../src/state.svelte";

let shell: FakeShell;

async function start() {
  resetApp();
  shell = installFakeShell({ seed: true });
  shell.probeDelayMs = 40;
  const user = userEvent.setup();
  render(App);
  await screen.findByTestId("workspace");
  return user;
}

const calls = (cmd: string) => shell.calls.filter((c) => c.cmd === cmd).map((c) => c.args);

/** Later sections render a frame or two after the first paint (lib/progressive.ts). */
function byKey(testid: string, key: string): Promise<HTMLElement> {
  return waitFor(() => {
    const found = [...document.querySelectorAll<HTMLElement>(`[data-testid=${testid}]`)].find(
      (el) => el.dataset.probeKey === key,
    );
    expect(found, `${testid} ${key}`).toBeTruthy();
    return found!;
  });
}

const probeBlock = (key: string) => byKey("probe", key);

async function setVariable(user: ReturnType<typeof userEvent.setup>, name: string, value: string) {
  const panel = screen.getByTestId("variables-panel");
  await user.clear(within(panel).getByTestId("variable-name"));
  await user.type(within(panel).getByTestId("variable-name"), name);
  await user.clear(within(panel).getByTestId("variable-value"));
  await user.type(within(panel).getByTestId("variable-value"), value);
  await user.click(within(panel).getByTestId("variable-save"));
}

beforeEach(() => {
  document.body.innerHTML = "";
});

afterEach(() => {
  shell.dispose();
  cleanup();
  clearMocks();
});

describe("a probe block", () => {
  it("shows its last result, timings and chart from the incident's history", async () => {
    await start();
    const block = await probeBlock("production-outage:2#1");
    const result = within(block).getByTestId("probe-result");
    expect(result.dataset.ok).toBe("true");
    expect(within(result).getByTestId("probe-timings").textContent).toMatch(/^dns .* · total .* ms$/);
    expect(result).toHaveTextContent("HTTP 200");
    expect(within(result).getByTestId("probe-runs")).toHaveTextContent("8 runs, 3 passed");
    const chart = within(block).getByTestId("probe-chart");
    expect(chart.dataset.points).toBe("8");
    expect(chart.querySelectorAll("[data-point=fail]")).toHaveLength(5);
    expect(chart.getAttribute("aria-label")).toMatch(/^Latency of Website: 8 runs, 5 failed/);
  });

  it("runs, shows it running, then the new result in red with the reason", async () => {
    const user = await start();
    shell.outcome = () => ({ ok: false, class: "http_status", http_status: 503 });
    const block = await probeBlock("production-outage:4#1");
    const run = within(block).getByTestId("probe-run");
    expect(run.title).toBe("Run this probe (step production-outage:4)");
    await user.click(run);
    expect(calls("run_probes")).toEqual([
      {
        incident: shell.incidents[1]!.id,
        key: "production-outage:4#1",
        ref: null,
        run: null,
        section: null,
        profile: null,
        approve: false,
      },
    ]);
    await waitFor(() => expect(within(block).getByTestId("probe-run")).toHaveTextContent("Running…"));
    expect(within(block).getByTestId("probe-run")).toHaveAttribute("aria-disabled", "true");
    await waitFor(() => expect(within(block).getByTestId("probe-result").dataset.ok).toBe("false"));
    expect(within(block).getByTestId("probe-reason")).toHaveTextContent("expected status 200, got 503");
    expect(within(block).getByTestId("probe-chart").dataset.points).toBe("3");
    await waitFor(() => expect(within(block).getByTestId("probe-run")).toHaveTextContent("Run"));
  });

  it("waits for missing placeholders: Run is disabled and says why; the name leads to the variables", async () => {
    const user = await start();
    const block = await probeBlock("production-outage:3#1");
    expect(within(block).getByTestId("probe-missing")).toHaveTextContent("{{ cdn_url }}");
    const run = within(block).getByTestId("probe-run");
    expect(run).toBeDisabled();
    expect(run.title).toBe("Needs a value for {{ cdn_url }}: set it under Variables");
    expect(within(block).getByTestId("probe-watch")).toBeDisabled();

    await user.click(within(block).getByTestId("probe-missing-name"));
    const value = screen.getByTestId("variable-value");
    await waitFor(() => expect(document.activeElement).toBe(value));
    expect(screen.getByTestId("variable-name")).toHaveValue("cdn_url");
    await user.type(value, "https://cdn.example.com{Enter}");
    await waitFor(() => expect(within(block).getByTestId("probe-target")).toHaveTextContent("https://cdn.example.com/static/app.js"));
    expect(within(block).queryByTestId("probe-missing")).toBeNull();
    expect(within(block).getByTestId("probe-run")).toBeEnabled();
    expect(calls("set_variable")).toEqual([{ incident: shell.incidents[1]!.id, name: "cdn_url", value: "https://cdn.example.com" }]);
  });
});

describe("the approval question", () => {
  it("asks before a runbook probe reaches loopback; Escape cancels, confirm runs it with approve", async () => {
    const user = await start();
    await setVariable(user, "site_url", "http://127.0.0.1:8080");
    const block = await probeBlock("production-outage:2#1");
    await waitFor(() => expect(within(block).getByTestId("probe-target")).toHaveTextContent("http://127.0.0.1:8080"));

    const run = within(block).getByTestId("probe-run");
    run.focus();
    await user.keyboard("{Enter}");
    const dialog = await screen.findByTestId("approval-dialog");
    expect(dialog).toHaveTextContent("127.0.0.1 (runbook production-outage)");
    // The safe answer has focus, and Tab stays inside the dialog.
    expect(document.activeElement).toBe(within(dialog).getByTestId("approval-cancel"));
    await user.tab();
    expect(document.activeElement).toBe(within(dialog).getByTestId("approval-confirm"));
    await user.tab();
    expect(document.activeElement).toBe(within(dialog).getByTestId("approval-cancel"));
    // The checklist's keys do nothing while it is open.
    await user.keyboard("x");
    expect(calls("change_step")).toHaveLength(0);

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("approval-dialog")).toBeNull());
    expect(calls("run_probes").map((a) => (a as { approve: boolean }).approve)).toEqual([false]);
    await waitFor(() => expect(document.activeElement).toBe(within(block).getByTestId("probe-run")));

    await user.click(within(block).getByTestId("probe-run"));
    await user.click(await screen.findByTestId("approval-confirm"));
    await waitFor(() => expect(calls("run_probes").map((a) => (a as { approve: boolean }).approve)).toEqual([false, false, true]));
    await waitFor(() => expect(within(block).getByTestId("probe-chart").dataset.points).toBe("9"));
    // Remembered: the next run does not ask.
    await user.click(within(block).getByTestId("probe-run"));
    await waitFor(() => expect(calls("run_probes")).toHaveLength(4));
    expect(screen.queryByTestId("approval-dialog")).toBeNull();
  });
});

describe("a section's Run all", () => {
  it("runs the section's probes and names those that wait for a value", async () => {
    const user = await start();
    const outage = await waitFor(() => {
      const run = screen.getAllByTestId("run").find((r) => r.dataset.runbookId === "production-outage");
      expect(run).toBeTruthy();
      return run!;
    });
    const button = await waitFor(() => {
      const b = within(outage)
        .getAllByTestId("section-run-probes")
        .find((el) => el.dataset.sectionIndex === "1");
      expect(b).toBeTruthy();
      return b!;
    });
    expect(within(outage).getAllByTestId("section-run-probes")).toHaveLength(1);
    await user.click(button);
    expect(calls("run_probes")).toEqual([
      {
        incident: shell.incidents[1]!.id,
        key: null,
        ref: null,
        run: shell.incidents[1]!.runs[0]!.run,
        section: 1,
        profile: null,
        approve: false,
      },
    ]);
    const notice = await within(outage).findByTestId("probe-skipped");
    expect(notice).toHaveTextContent("Not run: CDN (needs {{ cdn_url }})");
    await waitFor(() => expect(shell.incidents[1]!.running.size).toBe(0));
    const tls = await probeBlock("production-outage:5#1");
    await waitFor(() => expect(within(tls).getByTestId("probe-result")).toHaveTextContent("certificate: 41 days left"));
  });
});

describe("the probe box", () => {
  it("shows the shell's message for a malformed target and runs a good one on Enter", async () => {
    const user = await start();
    const box = screen.getByTestId("probe-box");
    await user.type(box, "db.internal:5432{Enter}");
    expect(await screen.findByTestId("probe-box-error")).toHaveTextContent('bad target "db.internal:5432": unknown scheme "db.internal"');
    expect(box).toHaveValue("db.internal:5432");

    await user.clear(box);
    expect(screen.queryByTestId("probe-box-error")).toBeNull();
    await user.type(box, "tcp://127.0.0.1:1{Enter}");
    expect(calls("check_target").at(-1)).toEqual({ incident: shell.incidents[1]!.id, target: "tcp://127.0.0.1:1" });
    expect(box).toHaveValue("");
    const item = await byKey("adhoc-probe", "tcp 127.0.0.1:1");
    await waitFor(() => expect(within(item).getByTestId("probe-result").dataset.ok).toBe("false"));
    expect(within(item).getByTestId("probe-reason")).toHaveTextContent("connection refused");
    // Arrow up brings the last target back.
    await user.type(box, "{ArrowUp}");
    expect(box).toHaveValue("tcp://127.0.0.1:1");
  });
});

describe("watches", () => {
  it("starts a watch with an interval, lists it with its state, and stops it", async () => {
    const user = await start();
    const block = await probeBlock("production-outage:4#1");
    await user.click(within(block).getByTestId("probe-watch"));
    const every = within(block).getByTestId("probe-watch-every");
    expect(every).toHaveValue(30);
    expect(document.activeElement).toBe(every);
    await user.clear(every);
    await user.type(every, "0{Enter}");
    expect(within(block).getByRole("alert")).toHaveTextContent("1 or more");
    await user.clear(every);
    await user.type(every, "5{Enter}");
    await waitFor(() => expect(calls("start_watch")).toHaveLength(1));
    expect(calls("start_watch")[0]).toMatchObject({ key: "production-outage:4#1", every_secs: 5, target: null });

    const item = await screen.findByTestId("watch-item");
    expect(item).toHaveTextContent("API health");
    expect(item).toHaveTextContent("every 5 s");
    await waitFor(() => expect(screen.getByTestId("watch-item").dataset.state).toBe("passing"));
    expect(within(block).getByTestId("probe-watch-stop")).toBeInTheDocument();

    await user.click(within(screen.getByTestId("watch-item")).getByTestId("watch-stop"));
    await waitFor(() => expect(screen.queryByTestId("watch-item")).toBeNull());
    expect(calls("stop_watch")).toEqual([{ id: "w1" }]);
    expect(within(block).getByTestId("probe-watch")).toBeInTheDocument();
  });
});

describe("variables and profiles", () => {
  it("sets and removes variables, chooses a profile, and shows a profile that cannot be used", async () => {
    const user = await start();
    const panel = screen.getByTestId("variables-panel");
    await setVariable(user, "api_base", "http://127.0.0.1:9");
    const item = await within(panel).findByTestId("variable-item");
    expect(item).toHaveTextContent(/api_base\s*=\s*http:\/\/127\.0\.0\.1:9/);
    const api = await probeBlock("production-outage:4#1");
    await waitFor(() => expect(within(api).getByTestId("probe-target")).toHaveTextContent("http://127.0.0.1:9/health"));

    await user.click(within(item).getByTestId("variable-remove"));
    await waitFor(() => expect(within(panel).queryByTestId("variable-item")).toBeNull());
    expect(calls("set_variable").at(-1)).toEqual({ incident: shell.incidents[1]!.id, name: "api_base", value: null });

    await user.selectOptions(within(panel).getByTestId("profile-select"), "staging");
    await waitFor(() => expect(within(api).getByTestId("probe-target")).toHaveTextContent("https://api.staging.example.com/health"));
    expect(calls("set_variable").at(-1)).toMatchObject({ name: "profile", value: "staging" });

    await setVariable(user, "profile", "nope");
    expect(await within(panel).findByTestId("profile-error")).toHaveTextContent('no profile "nope"');

    // No value: nothing is sent, and the panel says what to do.
    const before = calls("set_variable").length;
    await user.clear(within(panel).getByTestId("variable-name"));
    await user.type(within(panel).getByTestId("variable-name"), "token");
    await user.click(within(panel).getByTestId("variable-save"));
    expect(within(panel).getByTestId("variable-error")).toHaveTextContent("Type a value");
    expect(calls("set_variable")).toHaveLength(before);
  });
});

describe("the timeline", () => {
  it("labels probe results and tells passes from failures", async () => {
    await start();
    const entries = (await screen.findAllByTestId("timeline-entry")).filter((e) => e.dataset.kind === "probe");
    expect(entries.length).toBeGreaterThan(3);
    const failed = entries.find((e) => e.textContent?.includes("expected status 200, got 500"))!;
    expect(failed).toHaveClass("probe-fail");
    expect(within(failed).getByLabelText("failed")).toHaveTextContent("✗");
    const passed = entries.filter((e) => e.classList.contains("probe-ok"));
    expect(passed.some((e) => e.textContent?.includes("Website: status 200"))).toBe(true);
    expect(passed.every((e) => within(e).getByLabelText("passed").textContent === "✓")).toBe(true);
  });
});
