// The fake shell's probes: placeholders filled the way the shell fills them, targets
// read as the probe box reads them, and made-up but plausible results (nothing here
// touches the network).

import type { ProbeResultView, TimingsView } from "../src/lib/bindings";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Fills `{{ name }}` from `vars`; names without a value are left in and listed. */
export function fill(template: string, vars: ReadonlyMap<string, string>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars.get(name);
    if (value === undefined) {
      if (!missing.includes(name)) missing.push(name);
      return whole;
    }
    return value;
  });
  return { text, missing };
}

/** The host a target reaches: a URL's host, or the host of `host:port`. */
export function hostOf(target: string): string {
  try {
    if (/^[a-z]+:\/\//i.test(target)) return new URL(target).hostname.replace(/^\[|\]$/g, "");
  } catch {
    // Not a URL after all: read it as host:port below.
  }
  const t = target.trim();
  if (t.startsWith("[")) return t.slice(1, t.indexOf("]"));
  const colon = t.lastIndexOf(":");
  return (colon > 0 ? t.slice(0, colon) : t).split(/\s/)[0] ?? t;
}

/** Loopback, link-local and cloud-metadata hosts: the shell asks before probing them. */
export function isSensitiveHost(host: string): boolean {
  const h = host.toLowerCase();
  return (
    h === "localhost" ||
    h.endsWith(".localhost") ||
    /^127\./.test(h) ||
    h === "::1" ||
    /^169\.254\./.test(h) ||
    /^fe80:/.test(h) ||
    h === "metadata.google.internal"
  );
}

const FORMS = "http(s)://…, tcp://host:port, tls://host:port or dns://[server:port]/name?type=A";

export interface AdhocTarget {
  kind: string;
  /** What the probe shows as its target. */
  target: string;
}

/** Reads a typed target as the shell does; an Error with the shell's message when bad. */
export function parseTarget(typed: string): AdhocTarget {
  const text = typed.trim();
  const bad = (message: string) => new Error(`bad target ${JSON.stringify(text)}: ${message}`);
  const colon = text.indexOf(":");
  if (colon < 0) throw bad(`no scheme: expected ${FORMS}`);
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  switch (scheme) {
    case "http":
    case "https": {
      try {
        const url = new URL(text);
        if (!url.hostname) throw new Error("no host");
      } catch {
        throw bad("expected a URL such as https://example.com/health");
      }
      return { kind: "http", target: text };
    }
    case "tcp":
    case "tls": {
      const m = /^\/\/(\[[^\]]+\]|[^:/?#\s]+):(\d{1,5})\/?$/.exec(rest);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
        throw bad(`expected ${scheme}://host:port, such as ${scheme}://db.example.com:5432`);
      }
      return { kind: scheme, target: `${m[1]}:${m[2]}` };
    }
    case "dns": {
      const name = rest.replace(/^\/\/[^/]*\//, "").replace(/^\/\//, "").split("?")[0] ?? "";
      if (!/^[A-Za-z0-9.-]+$/.test(name)) throw bad("expected a name, such as dns:///example.com");
      const type = /[?&]type=([A-Za-z]+)/.exec(rest)?.[1]?.toUpperCase() ?? "A";
      return { kind: "dns", target: `${name} ${type}` };
    }
    default:
      throw bad(`unknown scheme ${JSON.stringify(scheme)}: expected ${FORMS}`);
  }
}

/** What a fake probe run saw: pass or fail, and why (the rest is made up around it). */
export interface FakeOutcome {
  ok: boolean;
  /** A failure class (`refused`, `http_status`, …), for failures. */
  class?: string;
  http_status?: number;
  /** Total time; omitted: a plausible one. */
  total_ms?: number | null;
  reason?: string;
}

/** Decides how a target fares in the demo: the CDN is down, port 1 refuses, the rest pass. */
export function demoOutcome(kind: string, target: string): FakeOutcome {
  if (/cdn\./.test(target)) return { ok: false, class: "http_status", http_status: 503 };
  if (/:1$|refuse/.test(target)) return { ok: false, class: "refused", total_ms: null };
  return { ok: true, http_status: kind === "http" ? 200 : undefined };
}

let seed = 7;
function jitter(min: number, max: number): number {
  // A small deterministic generator: the same demo every time.
  seed = (seed * 16807) % 2147483647;
  return Math.round((min + ((seed % 10_000) / 10_000) * (max - min)) * 100) / 100;
}

export function makeResult(kind: string, target: string, at: string, outcome: FakeOutcome): ProbeResultView {
  const https = /^https:|:443$/.test(target) || kind === "tls";
  const refused = outcome.class === "refused";
  const timings: TimingsView = {
    dns_ms: jitter(0.2, 3),
    connect_ms: refused ? null : jitter(0.5, 25),
    tls_ms: https && !refused && kind !== "tcp" && kind !== "dns" ? jitter(4, 40) : null,
    first_byte_ms: kind === "http" && !refused ? jitter(8, 180) : null,
    total_ms: null,
  };
  if (kind === "dns") timings.connect_ms = null;
  const sum = [timings.dns_ms, timings.connect_ms, timings.tls_ms, timings.first_byte_ms].reduce<number>(
    (n, ms) => n + (ms ?? 0),
    0,
  );
  timings.total_ms = outcome.total_ms === undefined ? Math.round(sum * 100) / 100 : outcome.total_ms;
  const addr = kind === "dns" ? null : `${hostOf(target) === "localhost" ? "127.0.0.1" : "203.0.113.10"}:${/:(\d+)/.exec(target.replace(/^[a-z]+:\/\//, ""))?.[1] ?? (https ? 443 : 80)}`;
  const status = outcome.http_status ?? null;
  const took = timings.total_ms === null ? "" : ` in ${timings.total_ms} ms`;
  const reason =
    outcome.reason ??
    (outcome.ok
      ? status !== null
        ? `status ${status}${took}`
        : kind === "dns"
          ? `2 answers${took}`
          : `connected${took}`
      : refused
        ? `connection refused by ${addr}`
        : status !== null
          ? `expected status 200, got ${status}`
          : "failed");
  return {
    ok: outcome.ok,
    kind,
    target,
    at,
    reason,
    class: outcome.ok ? null : (outcome.class ?? "protocol"),
    resolved_addr: addr,
    timings,
    http_status: status,
    cert_days_left: https && !refused ? 41 : null,
    answers: kind === "dns" && outcome.ok ? ["203.0.113.10", "203.0.113.11"] : [],
  };
}
