import { describe, expect, it } from "vitest";
import { byData, revealDelta } from "../src/lib/dom";

describe("revealing the selected step", () => {
  const box = { top: 100, bottom: 500 };

  it("leaves a visible item alone", () => {
    expect(revealDelta(box, { top: 200, bottom: 240 })).toBe(0);
  });

  it("scrolls down just enough for an item below", () => {
    expect(revealDelta(box, { top: 520, bottom: 560 })).toBe(68);
  });

  it("scrolls up for an item above, below a sticky header", () => {
    expect(revealDelta(box, { top: 40, bottom: 80 })).toBe(-68);
    expect(revealDelta(box, { top: 130, bottom: 160 }, 8, 40)).toBe(-18);
  });

  it("aligns an item taller than the box to its top", () => {
    expect(revealDelta(box, { top: 300, bottom: 900 })).toBe(192);
  });
});

describe("finding elements by data attribute", () => {
  it("matches values that would need escaping in a selector", () => {
    const root = document.createElement("div");
    root.innerHTML = `<p data-ref="production-outage:3.2">a</p><p data-ref='he said "x"'>b</p>`;
    expect(byData(root, "ref", "production-outage:3.2")?.textContent).toBe("a");
    expect(byData(root, "ref", 'he said "x"')?.textContent).toBe("b");
    expect(byData(root, "ref", "nope")).toBeNull();
  });
});
