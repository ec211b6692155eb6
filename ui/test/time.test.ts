import { beforeAll, describe, expect, it } from "vitest";

// India has a half-hour offset and no daylight saving time: a fixed, non-trivial zone.
process.env.TZ = "Asia/Kolkata";

const t = await import("../src/lib/time");

describe("clock times", () => {
  beforeAll(() => {
    expect(new Date("2026-11-21T00:00:00Z").getTimezoneOffset()).toBe(-330);
  });

  it("shows UTC instants in local time, 24-hour", () => {
    expect(t.localClock("2026-11-21T12:05:09.123Z")).toBe("17:35");
    expect(t.localClock("2026-11-21T12:05:09.123Z", true)).toBe("17:35:09");
    expect(t.localClock("2026-11-21T20:00:00Z")).toBe("01:30");
  });

  it("gives the full local date and UTC for hovering", () => {
    const title = t.timeTitle("2026-11-21T20:00:00.000Z");
    expect(title).toBe("2026-11-22 01:30:00 local (UTC+5:30)\n2026-11-21 20:00:00Z UTC");
  });

  it("survives an unreadable time", () => {
    expect(t.localClock("not a time")).toBe("--:--");
    expect(t.utcDateTime("nope")).toBe("nope");
  });
});

describe("durations", () => {
  const start = "2026-11-21T12:00:00Z";

  it("places moments relative to the incident's start", () => {
    expect(t.sinceStart(start, "2026-11-21T12:00:30Z")).toBe("+30s");
    expect(t.sinceStart(start, "2026-11-21T12:12:59Z")).toBe("+12m");
    expect(t.sinceStart(start, "2026-11-21T13:05:00Z")).toBe("+1h05m");
    expect(t.sinceStart(start, "2026-11-23T15:00:00Z")).toBe("+2d03h");
    // A finding backdated to before the incident was opened.
    expect(t.sinceStart(start, "2026-11-21T11:57:00Z")).toBe("-3m");
  });

  it("says how long an incident has run", () => {
    const ms = (iso: string) => new Date(iso).getTime();
    expect(t.elapsed(start, ms("2026-11-21T12:00:20Z"))).toBe("<1m");
    expect(t.elapsed(start, ms("2026-11-21T12:47:00Z"))).toBe("47m");
    expect(t.elapsed(start, ms("2026-11-21T14:05:00Z"))).toBe("2h 05m");
    expect(t.elapsed(start, ms("2026-11-22T15:00:00Z"))).toBe("1d 3h");
    // A clock that runs behind the store never shows a negative age.
    expect(t.elapsed(start, ms("2026-11-21T11:00:00Z"))).toBe("<1m");
  });

  it("says how long ago, in words", () => {
    const now = new Date("2026-11-21T12:00:00Z").getTime();
    expect(t.ago("2026-11-21T11:59:30Z", now)).toBe("just now");
    expect(t.ago("2026-11-21T11:55:00Z", now)).toBe("5 min ago");
    expect(t.ago("2026-11-21T08:40:00Z", now)).toBe("3 h 20 min ago");
    expect(t.ago("2026-11-21T09:00:00Z", now)).toBe("3 h ago");
    expect(t.ago("2026-11-20T11:00:00Z", now)).toBe("1 day ago");
    expect(t.ago("2026-11-18T12:00:00Z", now)).toBe("3 days ago");
  });

  it("ticks on the minute", () => {
    const at = new Date("2026-11-21T12:00:45.500Z").getTime();
    expect(t.msToNextMinute(at)).toBe(14_500);
  });
});
