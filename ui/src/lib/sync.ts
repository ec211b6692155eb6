// Sync with the team's hub as the status bar and the hub screen word it: the phase,
// what waits to be pushed, when the last sync was, the clock offset. Plain functions of
// the shell's `SyncStatusView`, so they are tested without a window.

import type { SyncStatusView } from "./bindings";
import { ago, compactDuration, localClock, timeTitle } from "./time";

export type SyncPhase = "not_connected" | "syncing" | "synced" | "offline" | "failed";

const LABELS: Record<SyncPhase, string> = {
  not_connected: "Local only",
  syncing: "Syncing…",
  synced: "Synced",
  offline: "Offline",
  failed: "Sync failed",
};

/** The phase, or `not_connected` before the status has loaded (nothing is known). */
export function phaseOf(status: SyncStatusView | null): SyncPhase {
  const phase = status?.phase ?? "not_connected";
  return phase in LABELS ? (phase as SyncPhase) : "not_connected";
}

export function isConnected(status: SyncStatusView | null): boolean {
  return status !== null && status.hub_url !== null;
}

/** `Local only`, `Syncing…`, `Synced`, `Offline`, `Sync failed`. */
export function syncLabel(status: SyncStatusView | null): string {
  return LABELS[phaseOf(status)];
}

/** `3 pending`; empty when nothing waits (or there is no hub to wait for). */
export function pendingText(status: SyncStatusView | null): string {
  if (!isConnected(status) || !status || status.pending <= 0) return "";
  return `${status.pending} pending`;
}

/** `synced 2 min ago`, `synced just now`, `never synced`; empty with no hub. */
export function lastSyncText(status: SyncStatusView | null, nowMs: number): string {
  if (!isConnected(status) || !status) return "";
  if (!status.last_success_at) return "never synced";
  return `synced ${ago(status.last_success_at, nowMs)}`;
}

/**
 * The hub's clock against this laptop's: `hub is 1.2 s ahead`, `hub is 3m behind`,
 * `in step` under 50 ms; empty before it was measured.
 */
export function clockOffsetText(offsetMs: number | null): string {
  if (offsetMs === null) return "";
  const abs = Math.abs(offsetMs);
  if (abs < 50) return "in step with the hub";
  const amount = abs < 1000 ? `${abs} ms` : abs < 60_000 ? `${(abs / 1000).toFixed(1)} s` : compactDuration(abs);
  return `hub is ${amount} ${offsetMs > 0 ? "ahead" : "behind"}`;
}

/** The status bar's tooltip: the hub, the last error, when it tries next. */
export function syncTitle(status: SyncStatusView | null): string {
  if (!isConnected(status) || !status) {
    return "Findings stay on this machine until a hub is set up. Click to set one up.";
  }
  const lines = [`Hub: ${status.hub_url}`];
  if (status.last_success_at) lines.push(`Last sync: ${timeTitle(status.last_success_at).split("\n")[0]}`);
  if (status.error) lines.push(`Last error: ${status.error.message}`);
  if (status.next_attempt_at && status.phase !== "synced") {
    lines.push(`Next try at ${localClock(status.next_attempt_at, true)}`);
  }
  if (status.clock_skewed) lines.push(`Clock: ${clockOffsetText(status.clock_offset_ms)} (over a minute)`);
  lines.push("Click for hub settings.");
  return lines.join("\n");
}
