/**
 * The part of the settings (worker/src/settings) the incident lifecycle reads. Kept structural so that
 * lifecycle code and tests depend on these two fields only.
 */
export interface IncidentPolicy {
  incidents: {
    /** An incident resolves itself after this many consecutive evaluated days without its signal. */
    autoResolveAfterDays: number;
  };
}
