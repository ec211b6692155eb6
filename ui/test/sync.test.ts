import { describe, expect, it } from "vitest";
import type { SyncStatusView } from "../src/lib/bindings";
import {
  clockOffsetText,
  isConnected,
  lastSyncText,
  pendingText,
  phaseOf,
  syncLabel,
  syncTitle,
} from "../src/lib/sync";

const NOW = Date.parse("2026-11-21T12:00:00Z");

function status(over: Partial<SyncStatusView> = {}): SyncStatusView {
  return {
    phase: "synced",
    hub_url: "https://hub.example.com",
    pending: 0,
    last_attempt_at: "2026-11-21T11:58:00Z",
    last_success_at: "2026-11-21T11:58:00Z",
    error: null,
    next_attempt_at: null,
    clock_offset_ms: 120,
    clock_skewed: false,
    device: "d3v1ce00-0000-7000-8000-000000000001",
    hub_user: "alice",
    token_path: "/home/alice/.local/share/firebreak/hub-token",
    ...over,
  };
}

const local = status({ phase: "not_connected", hub_url: null, last_success_at: null, token_path: null });

describe("the sync phase in words", () => {
  it("names every phase, and says local only before anything is known", () => {
    expect(syncLabel(local)).toBe("Local only");
    expect(syncLabel(status({ phase: "syncing" }))).toBe("Syncing…");
    expect(syncLabel(status())).toBe("Synced");
    expect(syncLabel(status({ phase: "offline" }))).toBe("Offline");
    expect(syncLabel(status({ phase: "failed" }))).toBe("Sync failed");
    expect(syncLabel(null)).toBe("Local only");
    expect(phaseOf(status({ phase: "from a newer shell" }))).toBe("not_connected");
    expect(isConnected(local)).toBe(false);
    expect(isConnected(status())).toBe(true);
  });

  it("counts what waits to be pushed, only with a hub", () => {
    expect(pendingText(status({ pending: 3 }))).toBe("3 pending");
    expect(pendingText(status({ pending: 0 }))).toBe("");
    expect(pendingText({ ...local, pending: 12 })).toBe("");
  });

  it("says when the last sync was", () => {
    expect(lastSyncText(status(), NOW)).toBe("synced 2 min ago");
    expect(lastSyncText(status({ last_success_at: "2026-11-21T11:59:40Z" }), NOW)).toBe("synced just now");
    expect(lastSyncText(status({ phase: "offline", last_success_at: null }), NOW)).toBe("never synced");
    expect(lastSyncText(local, NOW)).toBe("");
  });

  it("words the clock offset, ahead or behind", () => {
    expect(clockOffsetText(null)).toBe("");
    expect(clockOffsetText(20)).toBe("in step with the hub");
    expect(clockOffsetText(420)).toBe("hub is 420 ms ahead");
    expect(clockOffsetText(-1500)).toBe("hub is 1.5 s behind");
    expect(clockOffsetText(-185_000)).toBe("hub is 3m behind");
  });

  it("puts the hub, the last error and the next try in the tooltip", () => {
    const title = syncTitle(
      status({
        phase: "offline",
        error: { kind: "unreachable", message: "cannot reach the hub at https://hub.example.com: refused" },
        next_attempt_at: "2026-11-21T12:00:30Z",
        clock_offset_ms: 90_000,
        clock_skewed: true,
      }),
    );
    expect(title).toContain("Hub: https://hub.example.com");
    expect(title).toContain("Last error: cannot reach the hub at https://hub.example.com: refused");
    expect(title).toMatch(/Next try at \d\d:\d\d:30/);
    expect(title).toContain("hub is 1m ahead (over a minute)");
    expect(syncTitle(local)).toContain("stay on this machine");
    expect(syncTitle(status())).not.toContain("Next try");
  });
});
