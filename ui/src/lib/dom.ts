// Small DOM helpers. `revealDelta` is the arithmetic of scrolling one box so an element
// inside it shows, kept pure; `reveal` applies it to the scrolling box only (the
// browser's scrollIntoView would also move every scrolling ancestor of the page).

export interface Span {
  top: number;
  bottom: number;
}

/**
 * How far to scroll the box (positive: down) so that `item` shows with a margin.
 * `topInset` is what covers the box's top (a sticky header). An item taller than the
 * room is aligned to the top, where it starts.
 */
export function revealDelta(box: Span, item: Span, margin = 8, topInset = 0): number {
  const top = box.top + topInset + margin;
  const bottom = box.bottom - margin;
  const height = item.bottom - item.top;
  if (item.top < top || height > bottom - top) return item.top - top;
  if (item.bottom > bottom) return item.bottom - bottom;
  return 0;
}

export function reveal(box: HTMLElement, item: HTMLElement, margin = 8, topInset = 0): void {
  const delta = revealDelta(box.getBoundingClientRect(), item.getBoundingClientRect(), margin, topInset);
  if (delta !== 0) box.scrollTop += delta;
}

/** Puts the caret at the end of an input and focuses it without scrolling the page. */
export function focusField(input: HTMLInputElement | null | undefined): void {
  if (!input) return;
  input.focus({ preventScroll: true });
  const end = input.value.length;
  try {
    input.setSelectionRange(end, end);
  } catch {
    // Not every input type has a caret.
  }
}

/** The element under `root` whose `data-<name>` is `value` (no selector escaping needed). */
export function byData(root: ParentNode | null | undefined, name: string, value: string): HTMLElement | null {
  if (!root) return null;
  for (const el of root.querySelectorAll<HTMLElement>(`[data-${name}]`)) {
    if (el.getAttribute(`data-${name}`) === value) return el;
  }
  return null;
}
