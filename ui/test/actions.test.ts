import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import {
  checkAdhoc,
  dialogPaths,
  endWatch,
  exportWithDialog,
  importPaths,
  normalizeAt,
  noteArgs,
  pickImportPaths,
  runSectionProbes,
  runProbe,
  setIncidentVariable,
  setStepState,
  submitNote,
  watchProbe,
  withApproval,
} from "../src/lib/actions";

interface Call {
  cmd: string;
  payload: unknown;
}

let calls: Call[] = [];
let answers: Record<string, unknown> = {};

beforeEach(() => {
  calls = [];
  answers = {};
  mockIPC((cmd, payload) => {
    calls.push({ cmd, payload });
    const answer = answers[cmd];
    if (answer instanceof Error) throw { code: "invalid_input", message: answer.message };
    return answer;
  });
});

afterEach(() => clearMocks());

const incident = "0192f3c4-7a1b-7c2d-8e3f-000000000001";

describe("notes", () => {
  it("sends addNote exactly what the shell expects", async () => {
    answers.add_note = { id: "e1" };
    await submitNote(incident, { kind: "decision", text: "  roll back to 2026.11.21-2 ", at: "at 13:30", private: true });
    expect(calls).toEqual([
      {
        cmd: "add_note",
        payload: {
          args: { incident, kind: "decision", text: "roll back to 2026.11.21-2", at: "13:30", private: true },
        },
      },
    ]);
  });

  it("sends null for now, and a kind prefix still in the text wins over the picker", async () => {
    await submitNote(incident, { kind: "note", text: "/obs LB reports 0/4 healthy", at: "  ", private: false });
    expect(calls[0]?.payload).toEqual({
      args: { incident, kind: "observation", text: "LB reports 0/4 healthy", at: null, private: false },
    });
  });

  it("passes the shell's rejection through with its message", async () => {
    answers.add_note = new Error('cannot read time "25:99"');
    await expect(submitNote(incident, { kind: "note", text: "x", at: "25:99", private: false })).rejects.toEqual({
      code: "invalid_input",
      message: 'cannot read time "25:99"',
    });
  });

  it("normalises the backdating field", () => {
    expect(normalizeAt("")).toBeNull();
    expect(normalizeAt("13:30")).toBe("13:30");
    expect(normalizeAt("At 13:30")).toBe("13:30");
    expect(normalizeAt(" 10m ago ")).toBe("10m ago");
    expect(noteArgs("i", { kind: "action", text: "a", at: "", private: false }).kind).toBe("action");
  });
});

describe("steps", () => {
  it("changes a step with a trimmed reason, or none", async () => {
    answers.change_step = { ref: "3", state: "skipped", recorded: true };
    await setStepState(incident, "production-outage:3", "skipped", "  no CDN here ");
    await setStepState(incident, "4", "checked", "   ");
    expect(calls.map((c) => c.payload)).toEqual([
      { args: { incident, ref: "production-outage:3", state: "skipped", reason: "no CDN here" } },
      { args: { incident, ref: "4", state: "checked", reason: null } },
    ]);
  });
});

describe("export", () => {
  it("asks where to save, proposing a file name from the title, then exports there", async () => {
    answers["plugin:dialog|save"] = "/home/alice/checkout-returns-500.md";
    answers.export_incident = "/home/alice/checkout-returns-500.md";
    const path = await exportWithDialog(incident, "Checkout returns 500!");
    expect(path).toBe("/home/alice/checkout-returns-500.md");
    expect(calls[0]).toEqual({
      cmd: "plugin:dialog|save",
      payload: {
        options: { defaultPath: "checkout-returns-500.md", filters: [{ name: "Markdown", extensions: ["md"] }] },
      },
    });
    expect(calls[1]).toEqual({
      cmd: "export_incident",
      payload: { args: { incident, path: "/home/alice/checkout-returns-500.md", include_private: false } },
    });
  });

  it("does nothing when the dialog is cancelled", async () => {
    answers["plugin:dialog|save"] = null;
    expect(await exportWithDialog(incident, "x")).toBeNull();
    expect(calls.map((c) => c.cmd)).toEqual(["plugin:dialog|save"]);
  });
});

describe("import", () => {
  it("opens a multi-file dialog or a folder dialog", async () => {
    answers["plugin:dialog|open"] = ["/r/a.md", "/r/b.md"];
    expect(await pickImportPaths("files")).toEqual(["/r/a.md", "/r/b.md"]);
    answers["plugin:dialog|open"] = "/r";
    expect(await pickImportPaths("folder")).toEqual(["/r"]);
    const options = calls.map((c) => (c.payload as { options: Record<string, unknown> }).options);
    expect(options[0]).toMatchObject({ multiple: true });
    expect(options[1]).toEqual({ directory: true });
  });

  it("turns any dialog answer into a list", () => {
    expect(dialogPaths(null)).toEqual([]);
    expect(dialogPaths("/a")).toEqual(["/a"]);
  });

  it("imports the given paths, trimmed, and skips an empty list", async () => {
    answers.import_runbooks = { files: [], imported: 0, failed: 0 };
    expect(await importPaths(["  ", ""])).toBeNull();
    expect(calls).toEqual([]);
    await importPaths([" /r/db.md ", "/r/more"]);
    expect(calls).toEqual([{ cmd: "import_runbooks", payload: { args: { paths: ["/r/db.md", "/r/more"] } } }]);
  });
});

describe("probes", () => {
  const needsApproval = { code: "needs_approval", message: "these probes reach 127.0.0.1 (runbook rb)" };

  it("runs one probe, and a section's, with exactly the shell's arguments", async () => {
    answers.run_probes = { keys: ["rb:2#1"], skipped: [] };
    const ask = () => Promise.resolve(true);
    expect(await runProbe(incident, "rb:2#1", ask)).toEqual({ keys: ["rb:2#1"], skipped: [] });
    await runSectionProbes(incident, "run-1", 3, ask);
    expect(calls.map((c) => c.payload)).toEqual([
      { args: { incident, key: "rb:2#1", ref: null, run: null, section: null, profile: null, approve: false } },
      { args: { incident, key: null, ref: null, run: "run-1", section: 3, profile: null, approve: false } },
    ]);
  });

  it("asks on needs_approval and sends the same request again with approve", async () => {
    let first = true;
    mockIPC((cmd, payload) => {
      calls.push({ cmd, payload });
      if (first) {
        first = false;
        throw needsApproval;
      }
      return { keys: ["rb:2#1"], skipped: [] };
    });
    const asked: string[] = [];
    const started = await runProbe(incident, "rb:2#1", (m) => {
      asked.push(m);
      return Promise.resolve(true);
    });
    expect(asked).toEqual([needsApproval.message]);
    expect(started?.keys).toEqual(["rb:2#1"]);
    expect(calls.map((c) => (c.payload as { args: { approve: boolean } }).args.approve)).toEqual([false, true]);
  });

  it("sends nothing more when the person says no, and passes other errors on", async () => {
    const call = (approve: boolean) => {
      calls.push({ cmd: "x", payload: approve });
      return Promise.reject(needsApproval);
    };
    expect(await withApproval(call, () => Promise.resolve(false))).toBeNull();
    expect(calls).toHaveLength(1);
    const invalid = { code: "invalid_input", message: "there is no probe to run there" };
    await expect(withApproval(() => Promise.reject(invalid), () => Promise.resolve(true))).rejects.toEqual(invalid);
  });

  it("checks a trimmed target, watches a key, stops a watch, sets and removes variables", async () => {
    answers.check_target = { keys: ["tcp 127.0.0.1:1"], skipped: [] };
    await checkAdhoc(incident, "  tcp://127.0.0.1:1 ");
    await watchProbe(incident, "rb:2#1", 5, () => Promise.resolve(true));
    await endWatch("w1");
    await setIncidentVariable(incident, " site_url ", " http://127.0.0.1:8080 ");
    await setIncidentVariable(incident, "site_url", "   ");
    await setIncidentVariable(incident, "profile", null);
    expect(calls).toEqual([
      { cmd: "check_target", payload: { args: { incident, target: "tcp://127.0.0.1:1" } } },
      {
        cmd: "start_watch",
        payload: { args: { incident, key: "rb:2#1", target: null, every_secs: 5, profile: null, approve: false } },
      },
      { cmd: "stop_watch", payload: { args: { id: "w1" } } },
      { cmd: "set_variable", payload: { args: { incident, name: "site_url", value: "http://127.0.0.1:8080" } } },
      { cmd: "set_variable", payload: { args: { incident, name: "site_url", value: null } } },
      { cmd: "set_variable", payload: { args: { incident, name: "profile", value: null } } },
    ]);
  });
});
