import { z } from 'zod';
import { isoDateTime } from './common';

/** One setting: what it means, its default, and the kind of value it takes (so a form can render and check it). */
export const settingFieldSchema = z.object({
  key: z.string(),
  description: z.string(),
  default: z.unknown(),
  type: z.enum(['number', 'integer', 'boolean', 'enum', 'list', 'string']),
  options: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type SettingField = z.infer<typeof settingFieldSchema>;

export const settingsAuditEntrySchema = z.object({
  id: z.number().int(),
  key: z.string(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
  changedBy: z.string(),
  /** Whether changedBy came from Grafana's signed ID token (false: taken from a header as sent, or no identity). */
  changedByVerified: z.boolean().optional(),
  changedAt: isoDateTime,
});
export type SettingsAuditEntry = z.infer<typeof settingsAuditEntrySchema>;

/** GET /api/settings: the current values, what each means with its default, and the latest changes. */
export const settingsResponseSchema = z.object({
  values: z.record(z.string(), z.unknown()),
  fields: z.array(settingFieldSchema),
  audit: z.array(settingsAuditEntrySchema),
});
export type SettingsResponse = z.infer<typeof settingsResponseSchema>;

/** PUT /api/settings and POST /api/settings/preview: a partial object of setting keys; the worker validates the values. */
export const settingsPatchSchema = z.record(z.string(), z.unknown());
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const backtestSchema = z.object({
  days: z.number().int(),
  perDetector: z.record(z.string(), z.number()),
  total: z.number(),
});
/** One incident the backtest would have opened: who, which detector, first and last day it covered. */
export const previewIncidentSchema = z.object({
  scope: z.enum(['user', 'team']),
  subject: z.string(),
  detector: z.string(),
  firstDay: z.string(),
  lastDay: z.string(),
});
export type PreviewIncident = z.infer<typeof previewIncidentSchema>;

export const settingsPreviewSchema = z.object({
  days: z.number().int(),
  current: backtestSchema,
  proposed: backtestSchema,
  /** Incidents the proposed values would open that the current ones do not. */
  opened: z.array(previewIncidentSchema),
  /** Incidents the current values open that the proposed ones would not (they would close, or never open). */
  closed: z.array(previewIncidentSchema),
});
export type SettingsPreview = z.infer<typeof settingsPreviewSchema>;
