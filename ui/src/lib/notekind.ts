// The kinds of finding a responder types, and the quick way to pick one: start the
// note with a slash and the first letters of the kind, then a space (`/o `, `/obs `,
// `/hyp `). The note bar switches its kind picker and drops the prefix as you type.

import { FINDING_KINDS } from "./bindings";

export { FINDING_KINDS };
export type FindingKind = (typeof FINDING_KINDS)[number];

export function isFindingKind(kind: string): kind is FindingKind {
  return (FINDING_KINDS as readonly string[]).includes(kind);
}

/** The kind a prefix word names: any unambiguous start of a kind's name. */
export function kindForWord(word: string): FindingKind | null {
  const w = word.toLowerCase();
  if (!w) return null;
  const matches = FINDING_KINDS.filter((k) => k.startsWith(w));
  return matches.length === 1 ? (matches[0] ?? null) : null;
}

export interface PrefixParse {
  kind: FindingKind;
  /** The text after the prefix and its space. */
  rest: string;
}

/**
 * `"/obs LB reports 0/4 healthy"` → `{kind: "observation", rest: "LB reports 0/4 healthy"}`.
 * Only a prefix followed by whitespace counts, so typing `/o` alone changes nothing yet
 * and a note that starts with a path (`/var/log is full`) stays a note.
 */
export function parseKindPrefix(text: string): PrefixParse | null {
  const m = /^\/([A-Za-z]+)\s+/.exec(text);
  if (!m) return null;
  const kind = kindForWord(m[1] ?? "");
  if (!kind) return null;
  return { kind, rest: text.slice(m[0].length) };
}

/** The shortest prefix that picks each kind, for the hint beside the note bar. */
export function shortPrefix(kind: FindingKind): string {
  for (let n = 1; n <= kind.length; n++) {
    if (kindForWord(kind.slice(0, n)) === kind) return `/${kind.slice(0, n)}`;
  }
  return `/${kind}`;
}
