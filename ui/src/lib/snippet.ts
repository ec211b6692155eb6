// Runbook search snippets: SQLite FTS5 marks the matched words with `[` and `]`. The
// snippet is runbook text, so it is escaped first and only then are the marks turned
// into <mark> elements; nothing from the runbook can become markup.

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The snippet as HTML with the matched words in <mark>. Brackets around nothing but
 * spaces (a Markdown task box, `[ ]`) are left as they are.
 */
export function highlightSnippet(snippet: string): string {
  return escapeHtml(snippet).replace(/\[([^[\]]*\S[^[\]]*)\]/g, "<mark>$1</mark>");
}
