import type { IncidentSummary } from "./bindings";

/** Open incidents first, then by start, most recent first. */
export function sortIncidents(incidents: IncidentSummary[]): IncidentSummary[] {
  return [...incidents].sort((a, b) => {
    if (a.open !== b.open) return a.open ? -1 : 1;
    return b.started_at.localeCompare(a.started_at);
  });
}

export const SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"] as const;
export const STATUSES = ["investigating", "identified", "mitigated", "resolved"] as const;
