import { describe, expect, it } from "vitest";
import { escapeHtml, highlightSnippet } from "../src/lib/snippet";

describe("runbook search snippets", () => {
  it("marks the matched words", () => {
    expect(highlightSnippet("check the [replica] set's [lag]…")).toBe(
      "check the <mark>replica</mark> set&#39;s <mark>lag</mark>…",
    );
  });

  it("escapes the runbook's text before marking it", () => {
    const html = highlightSnippet('<img src=x onerror="alert(1)"> [disk] & <b>');
    expect(html).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>disk</mark> &amp; &lt;b&gt;");
    expect(html).not.toContain("<img");
  });

  it("cannot be tricked into markup by brackets", () => {
    expect(highlightSnippet("[<script>]")).toBe("<mark>&lt;script&gt;</mark>");
  });

  it("leaves Markdown task boxes alone", () => {
    expect(highlightSnippet("- [ ] [Restart] the pod")).toBe("- [ ] <mark>Restart</mark> the pod");
  });

  it("escapes every special character", () => {
    expect(escapeHtml(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&#39;f");
  });
});
