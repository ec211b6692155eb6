import { describe, expect, it } from "vitest";
import { detectMac, globalKeyAction, isActivatable, isTextField, primaryChord, type KeyLike } from "../src/lib/keys";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});
const linux = { inTextField: false, pendingG: false, isMac: false };
const mac = { ...linux, isMac: true };

describe("global shortcuts", () => {
  it("focuses the note bar with Ctrl+J, even from a text field", () => {
    expect(globalKeyAction(key("j", { ctrlKey: true }), linux).action).toBe("focus-note");
    expect(globalKeyAction(key("j", { ctrlKey: true }), { ...linux, inTextField: true }).action).toBe("focus-note");
    expect(globalKeyAction(key("J", { ctrlKey: true, shiftKey: true }), linux).action).toBe("focus-note");
  });

  it("uses Cmd on macOS and leaves Ctrl alone there", () => {
    expect(globalKeyAction(key("j", { metaKey: true }), mac).action).toBe("focus-note");
    expect(globalKeyAction(key("j", { ctrlKey: true }), mac).action).toBeNull();
    expect(globalKeyAction(key("j", { metaKey: true }), linux).action).toBeNull();
  });

  it("focuses the note bar with n, only outside text fields", () => {
    expect(globalKeyAction(key("n"), linux).action).toBe("focus-note");
    expect(globalKeyAction(key("n"), { ...linux, inTextField: true }).action).toBeNull();
  });

  it("switches screens with g and a letter", () => {
    const g = globalKeyAction(key("g"), linux);
    expect(g).toEqual({ action: null, pendingG: true });
    expect(globalKeyAction(key("w"), { ...linux, pendingG: true }).action).toBe("go-workspace");
    expect(globalKeyAction(key("i"), { ...linux, pendingG: true }).action).toBe("go-incidents");
    expect(globalKeyAction(key("r"), { ...linux, pendingG: true }).action).toBe("go-runbooks");
    expect(globalKeyAction(key("h"), { ...linux, pendingG: true }).action).toBe("go-hub");
    expect(globalKeyAction(key("o"), { ...linux, pendingG: true }).action).toBe("go-handoff");
    expect(globalKeyAction(key("p"), { ...linux, pendingG: true }).action).toBe("go-postmortem");
  });

  it("drops a pending g on any other key", () => {
    expect(globalKeyAction(key("x"), { ...linux, pendingG: true })).toEqual({ action: null, pendingG: false });
    // "n" after "g" is not a note: the sequence swallowed it.
    expect(globalKeyAction(key("n"), { ...linux, pendingG: true }).action).toBeNull();
  });

  it("does not start sequences while typing", () => {
    expect(globalKeyAction(key("g"), { ...linux, inTextField: true })).toEqual({ action: null, pendingG: false });
  });

  it("switches screens with Ctrl+1…6 (Cmd on macOS)", () => {
    expect(globalKeyAction(key("4", { ctrlKey: true }), linux).action).toBe("go-hub");
    expect(globalKeyAction(key("5", { ctrlKey: true }), linux).action).toBe("go-handoff");
    expect(globalKeyAction(key("5", { metaKey: true }), mac).action).toBe("go-handoff");
    expect(globalKeyAction(key("6", { ctrlKey: true }), linux).action).toBe("go-postmortem");
    expect(globalKeyAction(key("6", { metaKey: true }), mac).action).toBe("go-postmortem");
    expect(globalKeyAction(key("7", { ctrlKey: true }), linux).action).toBeNull();
    expect(globalKeyAction(key("1", { ctrlKey: true }), linux).action).toBe("go-workspace");
    expect(globalKeyAction(key("2", { ctrlKey: true }), { ...linux, inTextField: true }).action).toBe("go-incidents");
    expect(globalKeyAction(key("3", { metaKey: true }), mac).action).toBe("go-runbooks");
  });

  it("opens help with ? and reports Escape", () => {
    expect(globalKeyAction(key("?", { shiftKey: true }), linux).action).toBe("help");
    expect(globalKeyAction(key("?"), { ...linux, inTextField: true }).action).toBeNull();
    expect(globalKeyAction(key("Escape"), linux).action).toBe("escape");
  });

  it("ignores letters with Alt", () => {
    expect(globalKeyAction(key("n", { altKey: true }), linux).action).toBeNull();
  });
});

describe("what counts as typing", () => {
  it("tells text fields from buttons and checkboxes", () => {
    const input = document.createElement("input");
    const search = Object.assign(document.createElement("input"), { type: "search" });
    const checkbox = Object.assign(document.createElement("input"), { type: "checkbox" });
    const editable = document.createElement("div");
    editable.contentEditable = "true";
    expect(isTextField(input)).toBe(true);
    expect(isTextField(search)).toBe(true);
    expect(isTextField(document.createElement("textarea"))).toBe(true);
    expect(isTextField(document.createElement("select"))).toBe(true);
    expect(isTextField(checkbox)).toBe(false);
    expect(isTextField(document.createElement("button"))).toBe(false);
    expect(isTextField(document.body)).toBe(false);
    expect(isTextField(null)).toBe(false);
    // jsdom does not compute isContentEditable; a browser does.
    expect(isTextField(Object.defineProperty(editable, "isContentEditable", { value: true }))).toBe(true);
  });

  it("knows which elements act on Space themselves", () => {
    expect(isActivatable(document.createElement("button"))).toBe(true);
    expect(isActivatable(Object.assign(document.createElement("input"), { type: "checkbox" }))).toBe(true);
    expect(isActivatable(document.createElement("li"))).toBe(false);
    expect(isActivatable(document.createElement("input"))).toBe(false);
  });

  it("labels chords per platform", () => {
    expect(primaryChord("j", false)).toBe("Ctrl+J");
    expect(primaryChord("j", true)).toBe("⌘J");
    expect(detectMac("MacIntel")).toBe(true);
    expect(detectMac("Linux x86_64")).toBe(false);
  });
});
