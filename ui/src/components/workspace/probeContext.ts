// What a probe block deep in the checklist needs from the workspace's view: the
// incident, each probe's history by key, what is running and watched, and "now".
// Set once by the workspace (as getters, so it follows every refresh).

import { getContext, setContext } from "svelte";
import type { ProbeView, WatchView } from "../../lib/bindings";

export interface ProbeContext {
  readonly incident: string;
  readonly probes: ReadonlyMap<string, ProbeView>;
  readonly running: ReadonlySet<string>;
  readonly watches: WatchView[];
  /** The time "N min ago" is measured from. */
  readonly nowMs: number;
}

const KEY = Symbol("probes");

export function setProbeContext(ctx: ProbeContext): void {
  setContext(KEY, ctx);
}

/** Undefined outside the workspace: the block is then drawn without its controls. */
export function getProbeContext(): ProbeContext | undefined {
  return getContext<ProbeContext | undefined>(KEY);
}
