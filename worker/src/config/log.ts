import pino from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** Where log lines go: stdout (the default), or stderr for commands whose stdout is data (`--json`). */
  to?: 'stdout' | 'stderr';
  /** Overrides LOG_FORMAT and the terminal check. */
  format?: LogFormat;
  /** Writes here instead of a file descriptor (tests read what a person would see). */
  stream?: NodeJS.WritableStream;
}

/** LOG_FORMAT if set; otherwise readable lines for a person at a terminal, JSON for anything else (files, pipes). */
export function logFormat(env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  const set = env.LOG_FORMAT;
  if (set === undefined || set === '') return isTTY ? 'pretty' : 'json';
  if (set === 'json' || set === 'pretty') return set;
  throw new Error(`LOG_FORMAT must be "json" or "pretty" (got "${set}")`);
}

const formats = new WeakMap<object, LogFormat>();

/** How a logger made by createLogger writes; json for any other (a child logger included). */
export function formatOf(log: object): LogFormat {
  return formats.get(log) ?? 'json';
}

/** Structured logs; secrets are redacted wherever they appear in a logged object. */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  name = 'worker',
  opts: LoggerOptions = {},
) {
  const fd = opts.to === 'stderr' ? 2 : 1;
  const format = opts.format ?? logFormat(process.env, Boolean((fd === 2 ? process.stderr : process.stdout).isTTY));
  // pino-pretty as a synchronous stream in this process (no transport thread), so nothing is lost on exit.
  const destination =
    format === 'pretty'
      ? pretty({
          destination: opts.stream ?? fd,
          sync: true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,name',
          // One line per record: the fields after the message, so a page of logs stays readable.
          singleLine: true,
        })
      : (opts.stream ?? pino.destination({ dest: fd, sync: true }));
  const logger = pino(
    {
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
    },
    destination,
  );
  formats.set(logger, format);
  return logger;
}

export type Logger = pino.Logger;
