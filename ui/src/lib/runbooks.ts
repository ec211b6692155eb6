// Runbook lists and search hits in one shape for pickers and the library.

import type { RunbookHit, RunbookSummary } from "./bindings";

export interface RunbookChoice {
  id: string;
  title: string;
  /** Steps, when known (the library list); search hits do not carry it. */
  steps: number | null;
  /** The search snippet with `[matched]` words, for hits. */
  snippet: string | null;
  origin: string | null;
  versions: number | null;
}

function isHit(r: RunbookHit | RunbookSummary): r is RunbookHit {
  return "snippet" in r;
}

export function runbookChoices(list: Array<RunbookHit | RunbookSummary>): RunbookChoice[] {
  return list.map((r) =>
    isHit(r)
      ? { id: r.id, title: r.title, steps: null, snippet: r.snippet, origin: null, versions: null }
      : { id: r.id, title: r.title, steps: r.steps, snippet: null, origin: r.origin, versions: r.versions },
  );
}

/** How an imported file changed the library, in words. */
export function changeLabel(change: string | null): string {
  switch (change) {
    case "added":
      return "imported";
    case "new_version":
      return "new version";
    case "restored":
      return "restored";
    case "unchanged":
      return "unchanged";
    default:
      return change ?? "";
  }
}
