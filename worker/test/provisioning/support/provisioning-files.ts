import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../src/config/config';
import { PROVISIONING_DIR } from '../../../tools/grafana-sql/dashboards';

/** A YAML file under the repository, parsed; a syntax error names the file and the line. */
export function readYaml<T = Record<string, unknown>>(relative: string): T {
  const file = path.join(REPO_ROOT, relative);
  const text = fs.readFileSync(file, 'utf8');
  try {
    return parse(text, { prettyErrors: true }) as T;
  } catch (err) {
    throw new Error(`${relative} is not valid YAML: ${(err as Error).message}`);
  }
}

/** Every provisioning YAML file, relative to the repository root. */
export function provisioningYamlFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) out.push(path.relative(REPO_ROOT, full));
    }
  };
  walk(PROVISIONING_DIR);
  return out.sort();
}

/** `${VAR}` and `$VAR` references Grafana interpolates from its environment in a provisioning file. */
export function envReferences(text: string): string[] {
  return [
    ...new Set(
      [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? m[2]),
    ),
  ].sort();
}

/** Variables a compose file interpolates: ${VAR}, ${VAR:-default}, ${VAR:?message} ($$ is a literal dollar). */
export function composeVariables(text: string): string[] {
  const withoutEscapes = text.replace(/\$\$/g, '');
  return [
    ...new Set([...withoutEscapes.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?\}/g)].map((m) => m[1])),
  ].sort();
}

/** Names assigned in a dotenv file (KEY=value lines). */
export function dotenvKeys(relative: string): string[] {
  return fs
    .readFileSync(path.join(REPO_ROOT, relative), 'utf8')
    .split('\n')
    .map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l)?.[1])
    .filter((k): k is string => k !== undefined);
}

export interface DockerStage {
  from: string;
  name?: string;
  instructions: { op: string; args: string }[];
}

/** The Dockerfile's stages and instructions (continuation lines joined, comments dropped). */
export function dockerStages(relative: string): DockerStage[] {
  const lines = fs
    .readFileSync(path.join(REPO_ROOT, relative), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: m?.[1] ?? args, name: m?.[2], instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: { refId: string; datasourceUid: string; model: Record<string, unknown> }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  noDataState?: string;
  for?: string;
}

export interface RuleGroup {
  name: string;
  folder: string;
  interval: string;
  rules: AlertRule[];
}

export function alertRules(): AlertRule[] {
  return readYaml<{ groups: RuleGroup[] }>('provisioning/alerting/rules.yaml').groups.flatMap((g) => g.rules);
}

/** The rule's SQL query (refId A) and its threshold (the condition step). */
export function ruleParts(rule: AlertRule): { sql: string; evaluator: { type: string; params: number[] } } {
  const query = rule.data.find((d) => typeof d.model.rawSql === 'string');
  const condition = rule.data.find((d) => d.refId === rule.condition);
  const conditions = condition?.model.conditions as { evaluator: { type: string; params: number[] } }[] | undefined;
  if (!query || !conditions?.[0]) throw new Error(`rule ${rule.uid} has no SQL query or no threshold`);
  return { sql: query.model.rawSql as string, evaluator: conditions[0].evaluator };
}

/** Grafana's threshold evaluators. */
export function thresholdFires(evaluator: { type: string; params: number[] }, value: number): boolean {
  const [a, b] = evaluator.params;
  switch (evaluator.type) {
    case 'gt':
      return value > a;
    case 'lt':
      return value < a;
    case 'within_range':
      return value > a && value < b;
    case 'outside_range':
      return value < a || value > b;
    default:
      throw new Error(`unknown threshold type ${evaluator.type}`);
  }
}
