// Hand-made post-mortem values of the shell's types for the tests.
import type { PostmortemEntry, PostmortemSection, PostmortemView, TextVersion } from "../src/lib/bindings";

export const INCIDENT = "0192f3c4-7a1b-7c2d-8e3f-00000000abcd";

let n = 0;
function id(): string {
  n += 1;
  return `0192f3c4-0000-7000-9000-${String(n).padStart(12, "0")}`;
}

export function version(over: Partial<TextVersion> = {}): TextVersion {
  const text = over.text ?? "Checkout failed.";
  return { id: id(), author: "alice", at: "2026-11-21T12:00:00.000Z", text, html: `<p>${text}</p>`, ...over };
}

export function section(over: Partial<PostmortemSection> = {}): PostmortemSection {
  return {
    section: "summary",
    title: "Summary",
    state: "empty",
    text: null,
    html: null,
    prompt: "Two or three sentences: what broke, for whom, for how long.",
    versions: [],
    heads: [],
    editors: [],
    ...over,
  };
}

/** A section with one version written. */
export function written(text: string, over: Partial<TextVersion> = {}): PostmortemSection {
  const v = version({ text, ...over });
  return section({ state: "written", text, html: v.html, versions: [v], heads: [v.id], editors: [v.author] });
}

/** A section whose versions were written apart. */
export function conflicted(...versions: TextVersion[]): PostmortemSection {
  return section({
    state: "conflict",
    versions,
    heads: versions.map((v) => v.id),
    editors: [...new Set(versions.map((v) => v.author))],
  });
}

export function pmEntry(over: Partial<PostmortemEntry> = {}): PostmortemEntry {
  const entryId = over.id ?? id();
  return {
    id: entryId,
    short_id: entryId.slice(-8),
    at: "2026-11-21T12:05:00.000Z",
    offset_ms: null,
    skewed: false,
    author: "alice",
    source: "note",
    kind: "observation",
    text: "p99 at 4 s on checkout",
    key: null,
    starred: false,
    hidden: false,
    in_document: true,
    annotation: null,
    annotation_heads: [],
    ...over,
  };
}

export function pmView(over: Partial<PostmortemView> = {}): PostmortemView {
  return {
    incident: INCIDENT,
    short_id: INCIDENT.slice(-8),
    title: "Checkout returns 502",
    severity: "SEV2",
    status: "resolved",
    milestones: [],
    durations: [],
    authors: [],
    responders: [{ name: "alice", roles: ["leader"] }],
    sections: [section()],
    timeline: [],
    actions: [],
    tollgates: [],
    probes: [],
    conflicts: 0,
    markdown: "# Post-mortem: Checkout returns 502",
    markdown_html: "<h1>Post-mortem: Checkout returns 502</h1>",
    ...over,
  };
}
