export interface SettingsIssue {
  path: string;
  message: string;
}

/** A settings change that was refused; `issues` name each bad field and what it must be. */
export class SettingsValidationError extends Error {
  constructor(public readonly issues: SettingsIssue[]) {
    super(`Invalid settings: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`);
    this.name = 'SettingsValidationError';
  }
}
