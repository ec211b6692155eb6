// Runbooks for the fake shell, shaped as the shell's views: steps with their path,
// text, rendered HTML and attached blocks. Abridged from the bundled runbooks.

import type { BlockView } from "../src/lib/bindings";

export interface DemoStep {
  path: string;
  text: string;
  html?: string;
  blocks?: BlockView[];
}

export interface DemoSection {
  title: string;
  level: number;
  blocks: BlockView[];
  steps: DemoStep[];
}

export interface DemoRunbook {
  id: string;
  title: string;
  hash: string;
  origin: string;
  /** The front matter's defaults for `{{ placeholders }}`. */
  variables?: Record<string, string>;
  sections: DemoSection[];
}

const text = (html: string): BlockView => ({ type: "text", html });
/** A probe block as written: the fake shell gives it its key and fills its target. */
const probe = (name: string, kind: string, target: string): BlockView => ({
  type: "probe",
  key: null,
  name,
  kind,
  target,
  missing: [],
  sensitive: [],
  source: `kind = "${kind}"\nname = "${name}"\n${kind === "http" ? "url" : "address"} = "${target}"`,
});
const command = (lang: string, code: string): BlockView => ({ type: "command", lang, code });

export const DEMO_RUNBOOKS: DemoRunbook[] = [
  {
    id: "production-outage",
    title: "Production outage",
    hash: "9f2c41d07be35a1e",
    origin: "bundled",
    variables: { site_url: "https://www.example.com", api_base: "https://api.example.com" },
    sections: [
      {
        title: "Production outage",
        level: 1,
        blocks: [
          text(
            "<p>Start here whenever users report that the product is down or badly broken. Work through the phases in order and write down what you see as you go.</p>",
          ),
        ],
        steps: [],
      },
      {
        title: "Confirm the outage",
        level: 2,
        blocks: [],
        steps: [
          {
            path: "1",
            text: "Write down the report exactly as it reached you: who reported it, when (in UTC), which page or feature, what they saw.",
            blocks: [
              text(
                "<p>Treat the report as true. Users rarely invent outages, and time spent arguing that the problem lies somewhere else is time the outage keeps running.</p>",
              ),
            ],
          },
          {
            path: "2",
            text: "Load the website from your own machine.",
            blocks: [
              text("<p>Good: status 200 within a second or two. Bad: an error status, a timeout, a certificate warning, or a blank page.</p>"),
              probe("Website", "http", "{{ site_url }}"),
            ],
          },
          {
            path: "3",
            text: "Check that the CDN answers for the app's static files.",
            blocks: [probe("CDN", "http", "{{ cdn_url }}/static/app.js")],
          },
          {
            path: "4",
            text: "Check the API's health endpoint.",
            blocks: [
              text("<p>Good: 200 quickly. Bad: 5xx (502, 503 and 504 usually come from the load balancer, not the app), a timeout.</p>"),
              probe("API health", "http", "{{ api_base }}/health"),
            ],
          },
          {
            path: "5",
            text: "Check the API's TLS certificate and handshake.",
            blocks: [probe("API TLS", "tls", "api.example.com:443")],
          },
          {
            path: "6",
            text: "If you prefer the terminal, or want timings to paste into the war room, run the same checks by hand.",
            blocks: [
              command(
                "sh",
                "date -u +%Y-%m-%dT%H:%M:%SZ\ncurl -sS -o /dev/null -w 'site status=%{http_code} total=%{time_total}s\\n' https://www.example.com\ncurl -sS -o /dev/null -w 'api  status=%{http_code} total=%{time_total}s\\n' https://api.example.com/health\ndig +short api.example.com",
              ),
            ],
          },
          {
            path: "7",
            text: "Decide and record: the outage is confirmed.",
            html: "Decide and record: <strong>the outage is confirmed</strong>.",
          },
        ],
      },
      {
        title: "Call for help",
        level: 2,
        blocks: [],
        steps: [
          {
            path: "8",
            text: "Open a war room: a video or phone bridge everyone can join, plus one written channel.",
            html: "Open a war room: a video or phone bridge everyone can join, plus one written channel. If chat or SSO is down too, use <code>https://meet.example.com/war-room</code>.",
          },
          { path: "9", text: "Invite, at minimum, these roles." },
          { path: "9.1", text: "Someone from user support who knows what customers are saying." },
          { path: "9.2", text: "The engineers who build and run the affected systems." },
          { path: "9.3", text: "The managers who need to know and may need to decide." },
          { path: "10", text: "Phone people; do not rely on messages alone." },
        ],
      },
      {
        title: "Assign one leader",
        level: 2,
        blocks: [],
        steps: [
          { path: "11", text: "Name one incident leader, out loud in the war room, and record the choice." },
          { path: "12", text: "The leader states the ground rules to everyone in the room." },
          { path: "12.1", text: "Every finding, however small, goes to the leader." },
          { path: "12.2", text: "Nobody changes anything in production unless the leader has asked them to." },
          { path: "13", text: "The leader sets the severity and the rhythm of updates." },
        ],
      },
      {
        title: "Stop the bleeding",
        level: 2,
        blocks: [],
        steps: [
          {
            path: "14",
            text: "The leader asks one named person to switch on the maintenance page.",
            blocks: [
              text(
                "<p>A maintenance page helps twice: users get an honest answer, and the failing system stops receiving traffic. Sometimes that alone ends the outage.</p>",
              ),
            ],
          },
          { path: "15", text: "Write the message: short, plain and factual, with the time of the next update." },
        ],
      },
    ],
  },
  {
    id: "narrow-bottom-up",
    title: "Narrow the issue bottom-up",
    hash: "41be0a9c73d2f810",
    origin: "bundled",
    variables: { db_primary: "db-1.example.com" },
    sections: [
      {
        title: "Database replica set",
        level: 2,
        blocks: [],
        steps: [
          {
            path: "1",
            text: "Check that every member of the replica set accepts connections.",
            blocks: [probe("DB primary", "tcp", "{{ db_primary }}:27017")],
          },
          {
            path: "2",
            text: "Read the replica set's status as one member sees it.",
            blocks: [command("console", "mongosh --quiet --eval 'rs.status().members.map(m => [m.name, m.stateStr, m.health])'")],
          },
          { path: "2.1", text: "Count the members in state PRIMARY. Good: exactly one." },
          { path: "3", text: "Check free disk space on every member's data volume." },
        ],
      },
      {
        title: "Third-party API",
        level: 2,
        blocks: [],
        steps: [{ path: "4", text: "Check the third-party API from your own machine." }],
      },
    ],
  },
  {
    id: "narrow-top-down",
    title: "Narrow the issue top-down",
    hash: "c0ffee12aa34bb56",
    origin: "bundled",
    sections: [
      {
        title: "Follow a request",
        level: 2,
        blocks: [],
        steps: [
          { path: "1", text: "Reproduce the failing request in a browser with the developer tools open." },
          { path: "2", text: "Find the first hop that answers with an error: CDN, API, load balancer, app servers." },
        ],
      },
    ],
  },
  {
    id: "restore-service",
    title: "Restore full service",
    hash: "77aa0d5e9c1b2f34",
    origin: "bundled",
    sections: [
      {
        title: "Ramp up",
        level: 2,
        blocks: [],
        steps: [
          { path: "1", text: "Warm the caches before sending full traffic." },
          { path: "2", text: "Ramp traffic back in steps, watching error rates." },
        ],
      },
    ],
  },
  {
    id: "post-incident-review",
    title: "Post-incident review",
    hash: "5e6f7a8b9c0d1e2f",
    origin: "bundled",
    sections: [
      {
        title: "Write it down",
        level: 2,
        blocks: [],
        steps: [{ path: "1", text: "Collect everything everyone gathered into one timeline." }],
      },
    ],
  },
];
