// Times as responders read them: the local clock on screen, the full local date and
// UTC on hover, and durations relative to the incident's start ("+12m").
//
// Every time from the shell is an RFC 3339 string in UTC. Formatting is done by hand
// rather than with Intl so that it is the same 24-hour clock on every machine.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function pad(n: number, width = 2): string {
  return String(Math.trunc(n)).padStart(width, "0");
}

export function toMillis(iso: string): number {
  return new Date(iso).getTime();
}

/** `13:05` or `13:05:12` in local time. */
export function localClock(iso: string, seconds = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "--:--";
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

/** `2026-11-21 13:05:12` in local time. */
export function localDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** `2026-11-21 12:05:12Z`. */
export function utcDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
  );
}

/** The local zone's offset at that moment: `UTC`, `UTC+1`, `UTC-5:30`. */
export function offsetLabel(iso: string): string {
  const minutes = -new Date(iso).getTimezoneOffset();
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `UTC${sign}${h}${m ? `:${pad(m)}` : ""}`;
}

/** What a time's title attribute says: the full local date and the same moment in UTC. */
export function timeTitle(iso: string): string {
  return `${localDateTime(iso)} local (${offsetLabel(iso)})\n${utcDateTime(iso)} UTC`;
}

/** A compact duration: `45s`, `12m`, `1h05m`, `2d03h`. Negative durations get a minus. */
export function compactDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  if (abs < MINUTE) return `${sign}${Math.floor(abs / 1000)}s`;
  if (abs < HOUR) return `${sign}${Math.floor(abs / MINUTE)}m`;
  if (abs < DAY) {
    return `${sign}${Math.floor(abs / HOUR)}h${pad(Math.floor((abs % HOUR) / MINUTE))}m`;
  }
  return `${sign}${Math.floor(abs / DAY)}d${pad(Math.floor((abs % DAY) / HOUR))}h`;
}

/** Where a moment sits relative to the incident's start: `+12m`, `+1h05m`, `-3m`. */
export function sinceStart(startIso: string, atIso: string): string {
  const ms = toMillis(atIso) - toMillis(startIso);
  if (Number.isNaN(ms)) return "";
  const text = compactDuration(ms);
  return ms < 0 ? text : `+${text}`;
}

/** How long an incident has run, for the header: `47m`, `2h 05m`, `1d 3h`. */
export function elapsed(startIso: string, nowMs: number): string {
  const ms = Math.max(0, nowMs - toMillis(startIso));
  if (Number.isNaN(ms)) return "";
  if (ms < MINUTE) return "<1m";
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)}h ${pad(Math.floor((ms % HOUR) / MINUTE))}m`;
  return `${Math.floor(ms / DAY)}d ${Math.floor((ms % DAY) / HOUR)}h`;
}

/** `just now`, `5 min ago`, `3 h 20 min ago`, `2 days ago`. */
export function ago(iso: string, nowMs: number): string {
  const ms = nowMs - toMillis(iso);
  if (Number.isNaN(ms)) return "";
  if (ms < MINUTE) return "just now";
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min ago`;
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR);
    const m = Math.floor((ms % HOUR) / MINUTE);
    return m ? `${h} h ${m} min ago` : `${h} h ago`;
  }
  const days = Math.floor(ms / DAY);
  return days === 1 ? "1 day ago" : `${days} days ago`;
}

/** Milliseconds until the wall clock's next minute, for tickers that should flip on it. */
export function msToNextMinute(nowMs: number): number {
  return MINUTE - (nowMs % MINUTE);
}
