// The app-wide keyboard scheme, as a pure function from a key press (and whether a
// `g` is pending) to an action, so the scheme is tested without a window.
//
//   Ctrl+J (⌘J on macOS), or n      focus the note bar (switching to the workspace)
//   g w / g i / g r / g h / g o / g p   Workspace / Incidents / Runbooks / Hub / Handoff /
//                                   Post-mortem
//   Ctrl+1/2/3/4/5/6                the same
//   ?                               keyboard help
//   Esc                             close the help or the error banner
//
// Single letters only act when focus is not in a text field.

export type GlobalAction =
  | "focus-note"
  | "go-workspace"
  | "go-incidents"
  | "go-runbooks"
  | "go-hub"
  | "go-handoff"
  | "go-postmortem"
  | "help"
  | "escape";

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
}

export interface KeyContext {
  /** Focus is in a text input, a text area, a select or editable content. */
  inTextField: boolean;
  /** A `g` was pressed just before (a two-key sequence is pending). */
  pendingG: boolean;
  isMac: boolean;
}

export interface KeyResult {
  action: GlobalAction | null;
  pendingG: boolean;
}

const GO: Record<string, GlobalAction> = {
  w: "go-workspace",
  i: "go-incidents",
  r: "go-runbooks",
  h: "go-hub",
  o: "go-handoff",
  p: "go-postmortem",
  "1": "go-workspace",
  "2": "go-incidents",
  "3": "go-runbooks",
  "4": "go-hub",
  "5": "go-handoff",
  "6": "go-postmortem",
};

export function globalKeyAction(ev: KeyLike, ctx: KeyContext): KeyResult {
  const primary = ctx.isMac ? ev.metaKey : ev.ctrlKey;
  const other = ctx.isMac ? ev.ctrlKey : ev.metaKey;
  const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;

  if (primary && !other && !ev.altKey) {
    if (key === "j") return { action: "focus-note", pendingG: false };
    if (/^[1-6]$/.test(key)) return { action: GO[key] ?? null, pendingG: false };
    return { action: null, pendingG: false };
  }
  if (ev.key === "Escape") return { action: "escape", pendingG: false };
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ctx.inTextField) {
    return { action: null, pendingG: false };
  }
  if (ctx.pendingG) {
    const go = /^[wirhop]$/.test(key) ? GO[key] : undefined;
    return { action: go ?? null, pendingG: false };
  }
  if (ev.key === "g") return { action: null, pendingG: true };
  if (ev.key === "n") return { action: "focus-note", pendingG: false };
  if (ev.key === "?") return { action: "help", pendingG: false };
  return { action: null, pendingG: false };
}

const NON_TEXT_INPUTS = new Set([
  "button",
  "checkbox",
  "radio",
  "submit",
  "reset",
  "range",
  "color",
  "file",
  "image",
]);

/** Whether typing a letter into this element would type text (or pick an option). */
export function isTextField(el: EventTarget | null): boolean {
  if (!el || typeof (el as Element).tagName !== "string") return false;
  const element = el as HTMLElement;
  const tag = element.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag === "input") return !NON_TEXT_INPUTS.has((element as HTMLInputElement).type);
  return element.isContentEditable === true;
}

/** Buttons, links and toggles, which act on Space and Enter themselves. */
export function isActivatable(el: EventTarget | null): boolean {
  if (!el || typeof (el as Element).tagName !== "string") return false;
  const element = el as HTMLElement;
  const tag = element.tagName.toLowerCase();
  if (tag === "button" || tag === "a" || tag === "summary") return true;
  if (tag === "input") return NON_TEXT_INPUTS.has((element as HTMLInputElement).type);
  const role = element.getAttribute("role");
  return role === "button" || role === "checkbox" || role === "switch";
}

export function detectMac(platform: string): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

/** `Ctrl+J` or `⌘J`, for labels and the help overlay. */
export function primaryChord(key: string, isMac: boolean): string {
  return isMac ? `⌘${key.toUpperCase()}` : `Ctrl+${key.toUpperCase()}`;
}
