import { describe, expect, it } from "vitest";
import { kindForWord, parseKindPrefix, shortPrefix } from "../src/lib/notekind";

describe("kind prefixes in the note bar", () => {
  it("picks the kind from a slash prefix and keeps the rest", () => {
    expect(parseKindPrefix("/obs LB reports 0/4 healthy")).toEqual({
      kind: "observation",
      rest: "LB reports 0/4 healthy",
    });
    expect(parseKindPrefix("/h bad deploy?")).toEqual({ kind: "hypothesis", rest: "bad deploy?" });
    expect(parseKindPrefix("/Decision roll back")).toEqual({ kind: "decision", rest: "roll back" });
    expect(parseKindPrefix("/a ")).toEqual({ kind: "action", rest: "" });
  });

  it("waits for the space after the prefix", () => {
    expect(parseKindPrefix("/obs")).toBeNull();
    expect(parseKindPrefix("/o")).toBeNull();
  });

  it("leaves notes that merely start with a path", () => {
    expect(parseKindPrefix("/var/log is full")).toBeNull();
    expect(parseKindPrefix("/dev/sda1 at 100%")).toBeNull();
    expect(parseKindPrefix("/x something")).toBeNull();
    expect(parseKindPrefix("obs no slash")).toBeNull();
  });

  it("accepts any unambiguous start of a kind's name", () => {
    expect(kindForWord("n")).toBe("note");
    expect(kindForWord("observation")).toBe("observation");
    expect(kindForWord("observations")).toBeNull();
    expect(kindForWord("")).toBeNull();
  });

  it("shows the shortest prefix for each kind", () => {
    expect(shortPrefix("observation")).toBe("/o");
    expect(shortPrefix("hypothesis")).toBe("/h");
    expect(shortPrefix("action")).toBe("/a");
    expect(shortPrefix("update")).toBe("/u");
  });

  it("knows customer updates", () => {
    expect(parseKindPrefix("/u status page: investigating")).toEqual({ kind: "update", rest: "status page: investigating" });
    expect(parseKindPrefix("/usr/local is full")).toBeNull();
  });
});
