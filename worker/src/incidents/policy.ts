import type { Settings } from '../settings';

/** The settings the incident lifecycle reads; a full Settings object satisfies it. */
export type IncidentPolicy = Pick<Settings, 'autoResolveAfterDays'>;
