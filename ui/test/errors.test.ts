import { describe, expect, it } from "vitest";
import { handleDragDrop } from "../src/lib/dragdrop";
import { hasCode, toUiError } from "../src/lib/errors";

describe("errors from commands and plugins", () => {
  it("keeps an ApiError's code and message", () => {
    const e = { code: "no_open_incident", message: "no open incident" };
    expect(toUiError(e)).toEqual(e);
    expect(hasCode(e, "no_open_incident")).toBe(true);
    expect(hasCode(e, "io")).toBe(false);
  });

  it("wraps strings and Errors", () => {
    expect(toUiError("dialog failed")).toEqual({ code: "unexpected", message: "dialog failed" });
    expect(toUiError(new Error("boom"))).toEqual({ code: "unexpected", message: "boom" });
    expect(hasCode(new Error("boom"), "unexpected")).toBe(false);
  });
});

describe("drag and drop onto the window", () => {
  it("shows the hint while hovering and imports on drop", () => {
    const seen: string[] = [];
    const handlers = {
      hover: (on: boolean) => seen.push(on ? "hover" : "leave"),
      drop: (paths: string[]) => seen.push(`drop ${paths.join(",")}`),
    };
    const position = { x: 0, y: 0 } as never;
    handleDragDrop({ type: "enter", paths: ["/a.md"], position }, handlers);
    handleDragDrop({ type: "over", position }, handlers);
    handleDragDrop({ type: "drop", paths: ["/a.md", "/runbooks"], position }, handlers);
    handleDragDrop({ type: "leave" }, handlers);
    expect(seen).toEqual(["hover", "hover", "leave", "drop /a.md,/runbooks", "leave"]);
  });

  it("ignores a drop with nothing in it", () => {
    let dropped = false;
    handleDragDrop({ type: "drop", paths: [], position: { x: 0, y: 0 } as never }, {
      hover: () => {},
      drop: () => (dropped = true),
    });
    expect(dropped).toBe(false);
  });
});
