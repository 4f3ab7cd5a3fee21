import pino from 'pino';

/** Structured logs; secrets are redacted wherever they appear in a logged object. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'worker') {
  return pino({
    name,
    level,
    redact: {
      paths: ['*.apiKey', '*.password', '*.token', '*.authorization', 'headers.authorization', 'config.*KEY*'],
      censor: '[redacted]',
    },
  });
}

export type Logger = pino.Logger;
