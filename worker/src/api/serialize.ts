import type { Incident, TimelineEntry } from '@cursor-cost-watch/contract';
import type { Selectable } from 'kysely';
import type { IncidentEventsTable } from '../db/schema/detection';
import type { IncidentRow } from '../incidents';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The database row in the contract's camelCase shape. */
export function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    scope: r.scope,
    subject: r.subject,
    detector: r.detector,
    status: r.status,
    severity: r.severity,
    maxSeverity: r.max_severity,
    onsetAt: r.onset_at.toISOString(),
    detectedAt: r.detected_at.toISOString(),
    lastDetectedAt: r.last_detected_at.toISOString(),
    alertedAt: iso(r.alerted_at),
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by,
    resolutionReason: r.resolution_reason,
    resolutionNote: r.resolution_note,
    observed: r.observed,
    expected: r.expected,
    bandLow: r.band_low,
    bandHigh: r.band_high,
    unit: r.unit,
    impactCents: r.impact_cents,
    topModel: r.top_model,
    summary: r.summary,
  };
}

export function toTimelineEntry(e: Selectable<IncidentEventsTable>): TimelineEntry {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    fromStatus: e.from_status,
    toStatus: e.to_status,
    details: e.details ?? {},
  };
}
