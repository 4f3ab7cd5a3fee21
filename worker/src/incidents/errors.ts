/** The incident id names no incident (the API answers 404). */
export class IncidentNotFoundError extends Error {
  constructor(public readonly incidentId: number) {
    super(`Incident ${incidentId} does not exist`);
    this.name = 'IncidentNotFoundError';
  }
}

/** The incident is not in a state that allows this change, e.g. resolving a resolved incident (the API answers 409). */
export class IncidentTransitionError extends Error {
  constructor(
    public readonly incidentId: number,
    public readonly action: string,
    public readonly status: string,
    reason?: string,
  ) {
    super(`Cannot ${action} incident ${incidentId}: ${reason ?? `it is ${status}`}`);
    this.name = 'IncidentTransitionError';
  }
}

/** A request carried a bad value (the API answers 400); `issues` name each field and what was wrong. */
export class IncidentInputError extends Error {
  constructor(public readonly issues: { path: string; message: string }[]) {
    super(`Invalid input: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`);
    this.name = 'IncidentInputError';
  }
}
