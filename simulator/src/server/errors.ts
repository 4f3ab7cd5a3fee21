/** Errors exactly as the Cursor API words them: always JSON `{error, message}`. */
export class ApiHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }

  body(): { error: string; message: string } {
    return { error: this.error, message: this.message };
  }
}

export const badRequest = (message: string) => new ApiHttpError(400, 'Bad Request', message);
export const UNAUTHORIZED = { error: 'Unauthorized', message: 'Invalid API key' };
export const FORBIDDEN = { error: 'Forbidden', message: 'Enterprise access required' };
export const NOT_FOUND = { error: 'Not Found', message: 'Resource not found' };
export const TOO_MANY_REQUESTS = {
  error: 'Too Many Requests',
  message: 'Rate limit exceeded. Please try again later.',
};
export const INTERNAL_ERROR = { error: 'Internal Server Error', message: 'An unexpected error occurred' };
