import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { followStoreChanges, liveQuery, RefreshHub } from "../src/lib/refresh";

afterEach(() => clearMocks());

/** A load whose results the test hands out one by one. */
function controlledLoad() {
  const pending: Array<(v: number) => void> = [];
  let calls = 0;
  const load = () => {
    calls += 1;
    return new Promise<number>((resolve) => pending.push(resolve));
  };
  return {
    load,
    get calls() {
      return calls;
    },
    resolveNext(v: number) {
      const r = pending.shift();
      if (!r) throw new Error("no load pending");
      r(v);
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("live queries", () => {
  it("loads and delivers", async () => {
    const hub = new RefreshHub();
    const seen: number[] = [];
    const q = liveQuery(async () => 42, (v) => seen.push(v), () => {}, hub);
    await q.refresh();
    expect(seen).toEqual([42]);
    expect(hub.size).toBe(1);
  });

  it("collapses refreshes that arrive during a load into one more load", async () => {
    const hub = new RefreshHub();
    const ctl = controlledLoad();
    const seen: number[] = [];
    const q = liveQuery(ctl.load, (v) => seen.push(v), () => {}, hub);
    const first = q.refresh();
    void q.refresh();
    void hub.refreshAll();
    void q.refresh();
    expect(ctl.calls).toBe(1);
    ctl.resolveNext(1);
    await flush();
    // One follow-up load for the three requests that came meanwhile.
    expect(ctl.calls).toBe(2);
    ctl.resolveNext(2);
    await first;
    expect(seen).toEqual([1, 2]);
    expect(ctl.calls).toBe(2);
  });

  it("reports errors with their code and keeps working", async () => {
    const hub = new RefreshHub();
    let fail = true;
    const errors: string[] = [];
    const seen: string[] = [];
    const q = liveQuery(
      async () => {
        if (fail) throw { code: "store", message: "database is locked" };
        return "ok";
      },
      (v) => seen.push(v),
      (e) => errors.push(`${e.code}: ${e.message}`),
      hub,
    );
    await q.refresh();
    fail = false;
    await q.refresh();
    expect(errors).toEqual(["store: database is locked"]);
    expect(seen).toEqual(["ok"]);
  });

  it("never delivers after it stopped", async () => {
    const hub = new RefreshHub();
    const ctl = controlledLoad();
    const onData = vi.fn();
    const q = liveQuery(ctl.load, onData, () => {}, hub);
    const p = q.refresh();
    q.stop();
    ctl.resolveNext(7);
    await p;
    expect(onData).not.toHaveBeenCalled();
    expect(hub.size).toBe(0);
    await hub.refreshAll();
    expect(ctl.calls).toBe(1);
  });
});

describe("store-changed from the shell", () => {
  it("reloads every live query", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const hub = new RefreshHub();
    let version = 0;
    const seen: number[] = [];
    const q = liveQuery(async () => ++version, (v) => seen.push(v), () => {}, hub);
    await q.refresh();
    const unlisten = await followStoreChanges(hub);
    await emit("store-changed");
    await vi.waitFor(() => expect(seen).toEqual([1, 2]));
    unlisten();
    await emit("store-changed");
    await flush();
    expect(seen).toEqual([1, 2]);
  });
});
