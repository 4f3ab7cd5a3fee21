import fs from 'node:fs';
import path from 'node:path';
import { configSchema, REPO_ROOT } from '../../src/config/config';

// The README's configuration table is what people read; the config schema is what the worker enforces.
// Every variable the worker reads has a row, every row names a variable the worker reads, and a default written as
// a literal in the table is the schema's default.

interface Row {
  names: { name: string; inlineDefault?: string }[];
  defaultCell: string;
}

function readmeRows(): Row[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'));
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((line) => {
      const [first, defaultCell] = line
        .split('|')
        .slice(1, 3)
        .map((c) => c.trim());
      // `SMTP_HOST`, `SMTP_PORT` (587), … — one row may name several variables, each with its default in brackets.
      const names = [...first.matchAll(/`([A-Z][A-Z0-9_]+)`(?: \(([^)]+)\))?/g)].map((m) => ({
        name: m[1],
        inlineDefault: m[2],
      }));
      return { names, defaultCell };
    });
}

const rows = readmeRows();
const documented = rows.flatMap((r) => r.names.map((n) => n.name));
const schemaKeys = Object.keys(configSchema.shape);
const defaults = configSchema.parse({}) as Record<string, unknown>;
// Read by the logger, which starts before the configuration is validated (src/config/log.ts).
const readBeforeConfig = ['LOG_FORMAT'];

describe("README's configuration table", () => {
  it('has a row for every variable the worker reads, and none it does not', () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(schemaKeys.filter((k) => !documented.includes(k))).toEqual([]);
    expect(documented.filter((k) => !schemaKeys.includes(k) && !readBeforeConfig.includes(k))).toEqual([]);
    const logSource = fs.readFileSync(path.join(REPO_ROOT, 'worker/src/config/log.ts'), 'utf8');
    for (const k of readBeforeConfig) expect(logSource).toContain(`env.${k}`);
    expect(documented.length).toBe(new Set(documented).size);
  });

  it('states the schema defaults where it writes them as a literal', () => {
    const wrong: string[] = [];
    let compared = 0;
    for (const row of rows) {
      for (const { name, inlineDefault } of row.names) {
        const literal =
          inlineDefault ?? (row.names.length === 1 ? /^`([^`]*)`$/.exec(row.defaultCell)?.[1] : undefined);
        if (literal === undefined) continue; // "unset", "unset → demo", prose: nothing literal to compare
        compared++;
        const actual = defaults[name];
        if (String(actual) !== literal)
          wrong.push(`${name}: README says ${literal}, the schema's default is ${String(actual)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThan(15);
  });
});
