// How a hypothesis (confirmed, ruled out) or an action (done, abandoned) ended: the
// timeline's buttons and badges. The latest conclusion stands, so a hypothesis ruled
// out can still be confirmed when the evidence turns.

import { concludeFinding, OUTCOMES, type TimelineEntry } from "./bindings";
import { hub } from "./refresh";

export type Outcome = (typeof OUTCOMES)[number];

/** What a timeline entry's inline editor is doing: correcting, withdrawing or concluding it. */
export type EntryEditMode = "amend" | "retract" | `conclude:${Outcome}`;

/** The outcome a `conclude:…` mode is about to record; null for the other modes. */
export function concludeMode(mode: EntryEditMode | null): Outcome | null {
  if (mode === null || !mode.startsWith("conclude:")) return null;
  const outcome = mode.slice("conclude:".length);
  return (OUTCOMES as readonly string[]).includes(outcome) ? (outcome as Outcome) : null;
}

const OUTCOME_LABELS: Record<Outcome, string> = {
  confirmed: "confirmed",
  ruled_out: "ruled out",
  done: "done",
  abandoned: "abandoned",
};

export function outcomeLabel(outcome: string): string {
  return OUTCOME_LABELS[outcome as Outcome] ?? outcome.replace(/_/g, " ");
}

/** A settled outcome reads as good news (confirmed, done) or as a closed door. */
export function outcomeTone(outcome: string): "positive" | "negative" {
  return outcome === "confirmed" || outcome === "done" ? "positive" : "negative";
}

/**
 * The outcomes the timeline offers for an entry: a hypothesis is confirmed or ruled
 * out, an action done or abandoned; the one it already has is left out (the latest
 * conclusion stands, so the other one still can be said). Nothing for retracted
 * entries or other kinds.
 */
export function outcomeChoices(entry: TimelineEntry): Outcome[] {
  if (entry.retracted) return [];
  const all: Outcome[] =
    entry.kind === "hypothesis" ? ["confirmed", "ruled_out"] : entry.kind === "action" ? ["done", "abandoned"] : [];
  return all.filter((o) => o !== entry.outcome);
}

export async function conclude(event: string, outcome: Outcome, note: string): Promise<TimelineEntry> {
  const trimmed = note.trim();
  const entry = await concludeFinding({ event, outcome, note: trimmed === "" ? null : trimmed });
  await hub.refreshAll();
  return entry;
}
