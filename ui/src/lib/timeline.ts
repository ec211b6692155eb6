// The findings timeline: what to show after the kind and author filters, and the
// choices those filters offer.

import type { TimelineEntry } from "./bindings";
import { FINDING_KINDS } from "./notekind";

/** `all`, `findings` (what people typed), or one event kind. */
export type KindFilter = string;
export const ALL = "all";
export const FINDINGS = "findings";

export interface TimelineFilter {
  kind: KindFilter;
  /** An author's name, or `all`. */
  author: string;
}

export const NO_FILTER: TimelineFilter = { kind: ALL, author: ALL };

export function matchesFilter(entry: TimelineEntry, filter: TimelineFilter): boolean {
  if (filter.author !== ALL && entry.author !== filter.author) return false;
  if (filter.kind === ALL) return true;
  if (filter.kind === FINDINGS) return entry.is_finding;
  return entry.kind === filter.kind;
}

export function filterTimeline(entries: TimelineEntry[], filter: TimelineFilter): TimelineEntry[] {
  if (filter.kind === ALL && filter.author === ALL) return entries;
  return entries.filter((e) => matchesFilter(e, filter));
}

/** Everyone who wrote in this timeline, sorted. */
export function authorsOf(entries: TimelineEntry[]): string[] {
  return [...new Set(entries.map((e) => e.author))].sort((a, b) => a.localeCompare(b));
}

export interface KindOption {
  value: string;
  label: string;
}

/**
 * The kind filter's options: all, findings, the five finding kinds, then whatever
 * other kinds appear in this timeline (checked, status, …) under their labels.
 */
export function kindOptions(entries: TimelineEntry[]): KindOption[] {
  const options: KindOption[] = [
    { value: ALL, label: "All kinds" },
    { value: FINDINGS, label: "Findings only" },
    ...FINDING_KINDS.map((k) => ({ value: k, label: k })),
  ];
  const seen = new Set(options.map((o) => o.value));
  for (const e of entries) {
    if (!seen.has(e.kind)) {
      seen.add(e.kind);
      options.push({ value: e.kind, label: e.label });
    }
  }
  return options;
}

/** Whether a scrolled box shows its end (within a few pixels). */
export function isScrolledToBottom(
  box: { scrollTop: number; clientHeight: number; scrollHeight: number },
  slack = 24,
): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= slack;
}
