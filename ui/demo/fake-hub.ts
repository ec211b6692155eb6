// The fake shell's sync: a pretend hub that knows one URL and a few tokens, and a worker
// that "syncs" after a short delay and says so with `sync-changed`, as the real shell
// does. Nothing here touches the network.

import type { ApiError, ConnectHub, ErrorCode, SyncStatusView } from "../src/lib/bindings";

function fail(code: ErrorCode, message: string): never {
  const error: ApiError = { code, message };
  throw error;
}

interface Connection {
  url: string;
  /** The hub user of the token, once the hub has said. */
  user: string | null;
  phase: "syncing" | "synced" | "offline" | "failed";
  pending: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  error: { kind: string; message: string } | null;
  next_attempt_at: string | null;
}

export interface FakeHubOptions {
  now: () => number;
  device: string;
  /** Tells the UI the status moved (the real shell's `sync-changed`). */
  changed: () => void;
}

export class FakeHub {
  /** The one hub that answers. */
  url = "https://hub.example.com";
  /** Tokens the hub accepts, and their users. */
  tokens = new Map<string, string>([["fbk_demo_token_alice", "alice"]]);
  /** Whether the hub answers now (tests switch it off). */
  up = true;
  /** How long a fake round takes. */
  roundMs = 150;
  /** The hub's clock minus this laptop's. */
  clockOffsetMs = 420;
  connection: Connection | null = null;
  private token: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: FakeHubOptions) {}

  private iso(offsetMs = 0): string {
    return new Date(this.options.now() + offsetMs).toISOString();
  }

  status(): SyncStatusView {
    const c = this.connection;
    return {
      phase: c?.phase ?? "not_connected",
      hub_url: c?.url ?? null,
      pending: c?.pending ?? 0,
      last_attempt_at: c?.last_attempt_at ?? null,
      last_success_at: c?.last_success_at ?? null,
      error: c?.error ? { ...c.error } : null,
      next_attempt_at: c?.next_attempt_at ?? null,
      clock_offset_ms: c?.last_success_at ? this.clockOffsetMs : null,
      clock_skewed: c?.last_success_at ? Math.abs(this.clockOffsetMs) > 60_000 : false,
      device: this.options.device,
      hub_user: c?.user ?? null,
      token_path: c ? "/home/alice/.local/share/firebreak/hub-token" : null,
    };
  }

  connect(args: ConnectHub): SyncStatusView {
    const token = args.token.trim();
    if (token === "" || /\s/.test(token)) {
      fail("invalid_input", "the token is empty or has spaces in it: paste the last line `firebreak-hub user add NAME` printed");
    }
    const url = args.url.trim().replace(/\/+$/, "");
    if (!/^https?:\/\/[^/\s]+/.test(url)) {
      fail("bad_hub_url", `"${url}" is not a hub URL: a hub URL is http://HOST:PORT or https://HOST:PORT`);
    }
    let user: string | null = null;
    if (!args.offline) {
      if (url !== this.url || !this.up) {
        fail(
          "hub_unreachable",
          `cannot reach the hub at ${url}: connection refused. Nothing was saved: tick “Save offline” to keep the connection anyway and sync when the hub answers.`,
        );
      }
      user = this.tokens.get(token) ?? null;
      if (user === null) {
        fail(
          "hub_unauthorized",
          `the hub at ${url} does not accept this token (unknown token); check that it is the last line \`firebreak-hub user add NAME\` printed, or ask the hub's admin for a new one. Nothing was saved.`,
        );
      }
    }
    const same = this.connection?.url === url;
    this.token = token;
    this.connection = {
      url,
      user,
      phase: "syncing",
      pending: this.connection && same ? this.connection.pending : 0,
      last_attempt_at: same ? (this.connection?.last_attempt_at ?? null) : null,
      last_success_at: same ? (this.connection?.last_success_at ?? null) : null,
      error: null,
      next_attempt_at: null,
    };
    this.round();
    return this.status();
  }

  disconnect(): SyncStatusView {
    this.stop();
    this.connection = null;
    this.token = null;
    return this.status();
  }

  syncNow(): SyncStatusView {
    if (this.connection) {
      this.connection.phase = "syncing";
      this.round();
    }
    return this.status();
  }

  /** One of this device's events was written: it waits, then the worker pushes it. */
  appended(): void {
    if (!this.connection) return;
    this.connection.pending += 1;
    this.round();
  }

  /** A round after `roundMs`: synced if the hub is up and knows the token. */
  private round(): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.timer = null;
      const c = this.connection;
      if (!c) return;
      c.last_attempt_at = this.iso();
      const user = this.token === null ? undefined : this.tokens.get(this.token);
      if (!this.up || c.url !== this.url) {
        c.phase = "offline";
        c.error = { kind: "unreachable", message: `cannot reach the hub at ${c.url}: connection refused` };
        c.next_attempt_at = this.iso(30_000);
      } else if (user === undefined) {
        c.phase = "failed";
        c.error = { kind: "unauthorized", message: `the hub at ${c.url} does not accept this store's token` };
        c.next_attempt_at = this.iso(120_000);
      } else {
        c.phase = "synced";
        c.pending = 0;
        c.error = null;
        c.next_attempt_at = null;
        c.last_success_at = this.iso();
        c.user = user;
      }
      this.options.changed();
    }, this.roundMs);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
