// What the handoff screen and the inbox banner share: the handoffs waiting for the
// app's author (loaded once, again on every `store-changed` — a bundle imported, the
// CLI accepting — and on every `sync-changed`, since a handoff from another responder
// arrives with a sync round), the note being written (kept while the person looks at
// another screen), and which handoff to show opened. No polling.

import { listen } from "@tauri-apps/api/event";
import { handoffInbox, type HandoffView } from "./lib/bindings";
import { liveQuery, type RefreshHub, hub as refreshHub } from "./lib/refresh";
import { SYNC_CHANGED } from "./sync.svelte";

export interface NoteDraft {
  incident: string;
  to: string;
  note: string;
  /** The person changed the note: a new recipient no longer redrafts it. */
  edited: boolean;
}

function initial() {
  return {
    inbox: [] as HandoffView[],
    /** Why the inbox could not be read. */
    inboxError: null as string | null,
    draft: null as NoteDraft | null,
    /** A handoff to show with its note opened (the banner's Open). */
    open: null as string | null,
  };
}

export const handoffs = $state(initial());

export function resetHandoffs(): void {
  Object.assign(handoffs, initial());
}

/** Follows the inbox until the returned function is called. */
export async function followInbox(
  listenFn: typeof listen = listen,
  registry: RefreshHub = refreshHub,
): Promise<() => void> {
  const query = liveQuery(
    handoffInbox,
    (inbox) => {
      handoffs.inbox = inbox;
      handoffs.inboxError = null;
    },
    (e) => (handoffs.inboxError = e.message),
    registry,
  );
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
