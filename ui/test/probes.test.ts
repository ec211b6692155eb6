import { describe, expect, it } from "vitest";
import type { BlockView, ProbePointView, ProbeResultView, ProbeView, SectionView, WatchView } from "../src/lib/bindings";
import {
  CHART_SIZE,
  adhocProbes,
  blockState,
  certText,
  chartGeometry,
  chartLabel,
  everyText,
  formatMs,
  missingPlaceholders,
  niceCeil,
  parseEvery,
  placeholders,
  probeEntryParts,
  probesByKey,
  resultFacts,
  runbookProbeKeys,
  runsText,
  sectionProbes,
  sectionState,
  skippedNotice,
  stepRefOfKey,
  timingLine,
  timingParts,
  type ProbeBlock,
} from "../src/lib/probes";
import { run, step } from "./fixtures";

const timings = (over: Partial<ProbeResultView["timings"]> = {}) => ({
  dns_ms: null,
  connect_ms: null,
  tls_ms: null,
  first_byte_ms: null,
  total_ms: null,
  ...over,
});

function result(over: Partial<ProbeResultView> = {}): ProbeResultView {
  return {
    ok: true,
    kind: "http",
    target: "https://api.example.com/health",
    at: "2026-11-21T12:00:00Z",
    reason: "status 200 in 12 ms",
    class: null,
    resolved_addr: null,
    timings: timings(),
    http_status: null,
    cert_days_left: null,
    answers: [],
    ...over,
  };
}

function probe(key: string, over: Partial<ProbeView> = {}): ProbeView {
  return { key, label: key, step: "1", runs: 1, passes: 1, points: [], last: result(), ...over };
}

function block(key: string | null, over: Partial<ProbeBlock> = {}): ProbeBlock {
  return {
    type: "probe",
    key,
    name: "API health",
    kind: "http",
    target: "https://api.example.com/health",
    missing: [],
    sensitive: [],
    source: "",
    ...over,
  };
}

const point = (at: string, total: number | null, ok = true): ProbePointView => ({ at, ok, total_ms: total, author: "alice" });

describe("timings", () => {
  it("formats milliseconds with a precision that fits their size", () => {
    expect(formatMs(null)).toBe("—");
    expect(formatMs(0)).toBe("0 ms");
    expect(formatMs(0.004)).toBe("<0.01 ms");
    expect(formatMs(0.314)).toBe("0.31 ms");
    expect(formatMs(1.24)).toBe("1.2 ms");
    expect(formatMs(9.96)).toBe("10 ms");
    expect(formatMs(245.4)).toBe("245 ms");
    expect(formatMs(999.4)).toBe("999 ms");
    expect(formatMs(999.6)).toBe("1.00 s");
    expect(formatMs(1240)).toBe("1.24 s");
    expect(formatMs(12_345)).toBe("12.3 s");
    expect(formatMs(123_456)).toBe("123 s");
    expect(formatMs(Number.NaN)).toBe("—");
  });

  it("lists the timed phases in order and leaves out the rest", () => {
    const t = timings({ dns_ms: 0.31, connect_ms: 0.2, first_byte_ms: 1.1, total_ms: 1.61 });
    expect(timingParts(t).map((p) => p.label)).toEqual(["dns", "connect", "first byte", "total"]);
    expect(timingLine(t)).toBe("dns 0.31 ms · connect 0.20 ms · first byte 1.1 ms · total 1.6 ms");
    expect(timingLine(timings({ tls_ms: 32, total_ms: 40 }))).toBe("tls 32 ms · total 40 ms");
    expect(timingLine(timings())).toBe("");
  });
});

describe("result facts", () => {
  it("names the HTTP status, the certificate, DNS answers and the address", () => {
    expect(
      resultFacts(result({ http_status: 503, cert_days_left: 41, resolved_addr: "127.0.0.1:8080" })),
    ).toEqual(["HTTP 503", "certificate: 41 days left", "via 127.0.0.1:8080"]);
    expect(resultFacts(result({ answers: ["a", "b", "c", "d", "e", "f"] }))).toEqual(["answers: a, b, c, d +2 more"]);
    expect(resultFacts(result())).toEqual([]);
  });

  it("says how long the certificate has left, or how long ago it expired", () => {
    expect(certText(1)).toBe("certificate: 1 day left");
    expect(certText(0)).toBe("certificate expires today");
    expect(certText(-1)).toBe("certificate expired 1 day ago");
    expect(certText(-3)).toBe("certificate expired 3 days ago");
  });

  it("counts runs and passes in words", () => {
    expect(runsText(1, 1)).toBe("1 run, passed");
    expect(runsText(1, 0)).toBe("1 run, failed");
    expect(runsText(3, 2)).toBe("3 runs, 2 passed");
    expect(runsText(4, 0)).toBe("4 runs, none passed");
    expect(runsText(2, 2)).toBe("2 runs, all passed");
  });
});

describe("the latency chart", () => {
  const { width, height, pad } = CHART_SIZE;
  const baseline = height - pad;

  it("rounds the scale up to 1, 2 or 5 times a power of ten", () => {
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(0.7)).toBe(1);
    expect(niceCeil(1)).toBe(1);
    expect(niceCeil(1.3)).toBe(2);
    expect(niceCeil(3.1)).toBe(5);
    expect(niceCeil(7)).toBe(10);
    expect(niceCeil(240)).toBe(500);
    expect(niceCeil(Number.NaN)).toBe(1);
  });

  it("draws nothing for no points", () => {
    const g = chartGeometry([]);
    expect(g.dots).toEqual([]);
    expect(g.path).toBe("");
    expect(g.baseline).toBe(baseline);
    expect(chartLabel("API health", [])).toBe("Latency of API health: no runs yet");
  });

  it("puts one point in the middle, with no line", () => {
    const g = chartGeometry([point("2026-11-21T12:00:00Z", 3)]);
    expect(g.max).toBe(5);
    expect(g.path).toBe("");
    expect(g.dots).toHaveLength(1);
    expect(g.dots[0]).toMatchObject({ x: width / 2, ok: true, untimed: false });
    // 3 of 5 ms: 60% of the way up from the baseline.
    expect(g.dots[0]!.y).toBeCloseTo(pad + 0.4 * (height - 2 * pad), 1);
  });

  it("places points by time, tallest at the top, and joins the timed ones", () => {
    const g = chartGeometry([
      point("2026-11-21T12:00:00Z", 10),
      point("2026-11-21T12:00:30Z", 20, false),
      point("2026-11-21T12:02:00Z", 5),
    ]);
    expect(g.max).toBe(20);
    expect(g.dots.map((d) => d.x)).toEqual([pad, pad + (width - 2 * pad) / 4, width - pad]);
    expect(g.dots[1]!.y).toBe(pad);
    expect(g.dots[1]!.ok).toBe(false);
    expect(g.path.startsWith(`M${pad} `)).toBe(true);
    expect(g.path.match(/L/g)).toHaveLength(2);
    expect(g.dots[1]!.title).toContain("failed");
  });

  it("spreads points evenly when they share one instant", () => {
    const at = "2026-11-21T12:00:00Z";
    const g = chartGeometry([point(at, 1), point(at, 2), point(at, 3)]);
    expect(g.dots.map((d) => d.x)).toEqual([pad, width / 2, width - pad]);
  });

  it("keeps failures without a time on the baseline, in red, out of the line", () => {
    const g = chartGeometry([
      point("2026-11-21T12:00:00Z", null, false),
      point("2026-11-21T12:01:00Z", null, false),
    ]);
    expect(g.max).toBe(1);
    expect(g.path).toBe("");
    expect(g.dots.every((d) => d.y === baseline && d.untimed && !d.ok)).toBe(true);
    expect(chartLabel("DB", [point("2026-11-21T12:00:00Z", null, false)])).toBe(
      "Latency of DB: 1 run, 1 failed, last not timed",
    );
  });

  it("draws all-failed runs that were timed like any other", () => {
    const g = chartGeometry([point("2026-11-21T12:00:00Z", 400, false), point("2026-11-21T12:00:10Z", 900, false)]);
    expect(g.max).toBe(1000);
    expect(g.path).not.toBe("");
    expect(g.dots.map((d) => d.ok)).toEqual([false, false]);
    expect(chartLabel("Website", [point("2026-11-21T12:00:00Z", 400, false), point("2026-11-21T12:00:10Z", 900, false)])).toBe(
      "Latency of Website: 2 runs, 2 failed, last 900 ms, slowest 900 ms",
    );
  });
});

describe("probes, blocks and sections", () => {
  it("groups probes by key and lists the ad-hoc ones, newest first", () => {
    const a = probe("tcp db:5432", { step: null, last: result({ at: "2026-11-21T12:00:00Z" }) });
    const b = probe("dns example.com A", { step: null, last: result({ at: "2026-11-21T12:05:00Z" }) });
    const r = probe("production-outage:2#1");
    expect(probesByKey([a, b, r]).get("production-outage:2#1")).toBe(r);
    expect(adhocProbes([a, r, b]).map((p) => p.key)).toEqual(["dns example.com A", "tcp db:5432"]);
  });

  it("finds a key's step ref", () => {
    expect(stepRefOfKey("production-outage:12#1")).toBe("production-outage:12");
    expect(stepRefOfKey("rb:3.2#10")).toBe("rb:3.2");
    expect(stepRefOfKey("no-hash")).toBe("no-hash");
  });

  it("says whether a block can run, is running, or waits for a value", () => {
    const none = new Set<string>();
    expect(blockState(block("rb:1#1"), none, [])).toEqual({ runnable: true, running: false, disabledReason: null, watch: null });
    const running = blockState(block("rb:1#1"), new Set(["rb:1#1"]), []);
    expect(running.running).toBe(true);
    expect(running.runnable).toBe(true);
    const missing = blockState(block("rb:1#1", { missing: ["site_url", "api_base"] }), none, []);
    expect(missing.runnable).toBe(false);
    expect(missing.disabledReason).toBe("Needs a value for {{ site_url }}, {{ api_base }}: set it under Variables");
    const section = blockState(block(null), none, []);
    expect(section.runnable).toBe(false);
    expect(section.disabledReason).toMatch(/section/);
  });

  it("finds the watch on a block", () => {
    const w: WatchView = {
      id: "w1",
      incident: "i",
      key: "rb:1#1",
      label: "API",
      target: "x",
      every_secs: 30,
      state: "passing",
      since: null,
      runs: 1,
      last_reason: null,
      last_total_ms: null,
    };
    expect(blockState(block("rb:1#1"), new Set(), [w]).watch).toBe(w);
    expect(blockState(block("rb:2#1"), new Set(), [w]).watch).toBeNull();
  });

  it("counts a section's runnable probes and tells when all of them run", () => {
    const probeBlocks: BlockView[] = [block("rb:1#1"), block("rb:1#2", { missing: ["x"] })];
    const r = run("rb", [[step("rb:1", "open", { blocks: probeBlocks }), step("rb:2")]]);
    const section = r.sections[0] as SectionView;
    section.blocks = [block(null)];
    expect(sectionProbes(section).map((b) => b.key)).toEqual(["rb:1#1", "rb:1#2"]);
    expect(sectionState(section, new Set())).toEqual({ total: 2, runnable: 1, running: false, disabledReason: null });
    expect(sectionState(section, new Set(["rb:1#1"])).running).toBe(true);
    const waiting = run("rb", [[step("rb:1", "open", { blocks: [block("rb:1#1", { missing: ["x"] })] })]]).sections[0]!;
    expect(sectionState(waiting, new Set()).disabledReason).toBe("Needs a value for {{ x }}: set it under Variables");
    expect(sectionState(run("rb", [[step("rb:1")]]).sections[0]!, new Set()).total).toBe(0);
    expect([...runbookProbeKeys([r])]).toEqual(["rb:1#1", "rb:1#2"]);
    expect(missingPlaceholders([r])).toEqual(["x"]);
  });

  it("names the probes that were skipped and what they need", () => {
    expect(skippedNotice([])).toBeNull();
    expect(
      skippedNotice([{ key: "rb:2#1", label: "Website", missing: ["site_url"], reason: "{{ site_url }} has no value" }]),
    ).toBe("Not run: Website (needs {{ site_url }}). Set the values under Variables.");
    expect(
      skippedNotice([
        { key: "rb:2#1", label: "Website", missing: ["site_url"], reason: "" },
        { key: "rb:2#2", label: "API", missing: ["api_base", "token"], reason: "" },
      ]),
    ).toBe("2 probes not run: Website (needs {{ site_url }}); API (needs {{ api_base }}, {{ token }}). Set the values under Variables.");
    expect(placeholders(["a"])).toBe("{{ a }}");
  });
});

describe("watches", () => {
  it("reads the interval as whole seconds, at least one", () => {
    expect(parseEvery("30")).toBe(30);
    expect(parseEvery(" 5s ")).toBe(5);
    expect(parseEvery("1")).toBe(1);
    expect(parseEvery("0")).toBeNull();
    expect(parseEvery("0.5")).toBeNull();
    expect(parseEvery("-3")).toBeNull();
    expect(parseEvery("")).toBeNull();
    expect(parseEvery("abc")).toBeNull();
    expect(parseEvery(12)).toBe(12);
    expect(parseEvery(null)).toBeNull();
  });

  it("says how often", () => {
    expect(everyText(30)).toBe("every 30 s");
    expect(everyText(120)).toBe("every 2 min");
    expect(everyText(90)).toBe("every 1 min 30 s");
  });
});

describe("probe entries in the timeline", () => {
  it("takes the outcome from probe_ok and drops the mark from the text", () => {
    expect(probeEntryParts({ text: "✓ API health: status 200 in 1.2 ms", probe_ok: true })).toEqual({
      outcome: "ok",
      rest: "API health: status 200 in 1.2 ms",
    });
    expect(probeEntryParts({ text: "✗ Website: connection refused", probe_ok: false })).toEqual({
      outcome: "fail",
      rest: "Website: connection refused",
    });
    expect(probeEntryParts({ text: "something else", probe_ok: null })).toEqual({ outcome: null, rest: "something else" });
  });
});
