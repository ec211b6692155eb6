// The sync status the status bar and the hub screen share. It loads once, again after
// every store change (our own writes change what is pending; pulled events arrive as
// `store-changed`), and whenever the shell says the sync status moved (`sync-changed`:
// a round started or ended, the hub went away or came back). No polling from here.

import { listen } from "@tauri-apps/api/event";
import { syncStatus, type SyncStatusView } from "./lib/bindings";
import { liveQuery, type RefreshHub, hub as refreshHub } from "./lib/refresh";

export const SYNC_CHANGED = "sync-changed";

export const sync = $state({
  status: null as SyncStatusView | null,
  /** Why the status could not be read (the store could not be opened, …). */
  error: null as string | null,
});

/** Shows a status a command answered with (connect, disconnect, sync now). */
export function showSyncStatus(status: SyncStatusView): void {
  sync.status = status;
  sync.error = null;
}

export function resetSync(): void {
  sync.status = null;
  sync.error = null;
}

/** Follows the sync status until the returned function is called. */
export async function followSync(
  listenFn: typeof listen = listen,
  registry: RefreshHub = refreshHub,
): Promise<() => void> {
  const query = liveQuery(syncStatus, showSyncStatus, (e) => (sync.error = e.message), registry);
  let unlisten: () => void;
  try {
    unlisten = await listenFn(SYNC_CHANGED, () => void query.refresh());
  } catch (e) {
    query.stop();
    throw e;
  }
  void query.refresh();
  return () => {
    unlisten();
    query.stop();
  };
}
