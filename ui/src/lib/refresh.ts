// Live data without polling. A screen loads what it shows through a `liveQuery`; every
// live query is registered with a hub; when the shell says the store changed (another
// process, such as the CLI, wrote to it) or after one of our own writes, the hub asks
// every query to load again. Overlapping requests collapse into one follow-up load, and
// a stopped query never delivers.

import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { toUiError, type UiError } from "./errors";

export const STORE_CHANGED = "store-changed";

type Refresher = () => Promise<void>;

export class RefreshHub {
  private readonly subscribers = new Set<Refresher>();

  subscribe(fn: Refresher): () => void {
    this.subscribers.add(fn);
    return () => {
      this.subscribers.delete(fn);
    };
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Reloads everything on screen; resolves when every load has finished. */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.subscribers].map((fn) => fn()));
  }
}

export const hub = new RefreshHub();

export interface LiveQuery {
  /** Loads now (or once more after the load in flight); resolves with fresh data shown. */
  refresh(): Promise<void>;
  stop(): void;
}

export function liveQuery<T>(
  load: () => Promise<T>,
  onData: (value: T) => void,
  onError: (error: UiError, raw: unknown) => void,
  registry: RefreshHub = hub,
): LiveQuery {
  let inFlight: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  async function loadOnce(): Promise<void> {
    try {
      const value = await load();
      if (!stopped) onData(value);
    } catch (e) {
      if (!stopped) onError(toUiError(e), e);
    }
  }

  function refresh(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        do {
          again = false;
          await loadOnce();
        } while (again && !stopped);
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  const unsubscribe = registry.subscribe(refresh);
  return {
    refresh,
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}

/** Reloads every live query whenever the shell emits `store-changed`. */
export function followStoreChanges(
  registry: RefreshHub = hub,
  listenFn: typeof listen = listen,
): Promise<UnlistenFn> {
  return listenFn(STORE_CHANGED, () => {
    void registry.refreshAll();
  });
}
