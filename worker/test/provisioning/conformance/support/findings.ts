import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../../src/config/config';

/** Something Grafana would refuse (or get wrong) when it loads a provisioning file, and the Grafana code that says so. */
export interface Finding {
  file: string;
  /** Where in the file, e.g. `groups[0].rules[2] (cursor-collection-stale)`. */
  where: string;
  message: string;
  /** The Grafana file and function the rule follows. */
  grafana: string;
}

export type Report = (where: string, message: string, grafana: string) => void;

/** Collects findings for one file. */
export function collector(file: string): { findings: Finding[]; report: Report } {
  const findings: Finding[] = [];
  return { findings, report: (where, message, grafana) => findings.push({ file, where, message, grafana }) };
}

/** One line per finding, for assertion messages a person can act on. */
export function describe(findings: Finding[]): string[] {
  return findings.map((f) => `${f.file} ${f.where}: ${f.message} [${f.grafana}]`);
}

/** A repository file parsed as YAML (Grafana's provisioning readers use yaml.v3, which reads the same documents). */
export function loadYaml<T = unknown>(relative: string): T {
  const text = fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');
  return parse(text) as T;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const asString = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v);

/** pkg/util/shortid_generator.go, ValidateUID: at most 40 characters of [a-zA-Z0-9_-]. */
export function uidProblem(uid: string): string | null {
  if (uid.length > 40) return `uid "${uid}" is longer than 40 characters`;
  if (!/^[a-zA-Z0-9\-_]*$/.test(uid)) return `uid "${uid}" has characters other than a-z, A-Z, 0-9, - and _`;
  return null;
}

/**
 * prometheus/common model.ParseDuration, which the alerting file readers use for `interval`, `for`, group_wait…
 * Returns milliseconds, or null when Grafana would refuse the text ("1.5h", "5 m", "" …).
 */
export function parsePromDuration(text: string): number | null {
  if (text === '0') return 0;
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!text || !m) return null;
  const [, y, w, d, h, min, s, ms] = m.map((x) => Number(x ?? 0));
  return ((((y * 365 + w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000 + ms;
}
