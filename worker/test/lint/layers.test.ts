import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';

// The dependency rule (eslint.layers.mjs) is real only if ESLint refuses a forbidden import: lint a probe file
// through the repository's own ESLint configuration, as `npm run lint` does. The probes exist only on stdin, so
// TypeScript's project service cannot type them: its type-aware rules (eslint.config.mjs) are off here, and the
// layering rule needs no types.
const TYPE_AWARE_OFF = [
  '--parser-options',
  'projectService:false',
  ...['no-floating-promises', 'no-misused-promises', 'await-thenable'].flatMap((r) => [
    '--rule',
    `@typescript-eslint/${r}: off`,
  ]),
];

function lint(filePath: string, code: string): { errors: string[]; status: number | null } {
  const eslint = path.join(REPO_ROOT, 'node_modules', '.bin', 'eslint');
  const args = [...TYPE_AWARE_OFF, '--stdin', '--stdin-filename', filePath, '--format', 'json'];
  const r = spawnSync(eslint, args, {
    cwd: REPO_ROOT,
    input: code,
    encoding: 'utf8',
  });
  const results = JSON.parse(r.stdout || '[]') as { messages: { ruleId: string | null; message: string }[] }[];
  return { errors: results.flatMap((x) => x.messages.map((m) => `${m.ruleId}: ${m.message}`)), status: r.status };
}

describe('the dependency rule', () => {
  it('refuses an import that points the wrong way, and says which rule', () => {
    const cases: [string, string, RegExp][] = [
      ['worker/src/detection/probe.ts', "import { createDb } from '../db/pool';", /detection is the pure domain/],
      ['worker/src/db/probe.ts', "import { recordDetections } from '../incidents';", /persistence/],
      ['worker/src/api/probe.ts', "import { DAY_MS } from '../../test/support/sim';", /never imports test/],
      ['worker/bench/probe.ts', "import { DAY_MS } from '../test/support/sim';", /bench and tools never import test/],
      ['worker/src/notify/probe.ts', "import { bootstrap } from '../cli/bootstrap';", /entry points/],
      ['worker/src/api/probe.ts', "import { startSimulatorServer } from '@cursor-cost-watch/simulator';", /only entry/],
      ['simulator/src/probe.ts', "import { memberSchema } from '../../worker/src/cursor/schemas';", /nothing of the/],
    ];
    for (const [file, code, why] of cases) {
      const { errors, status } = lint(file, `${code}\nexport const probe = 1;\n`);
      expect({ file, status }).toEqual({ file, status: 1 });
      expect(errors.join('\n')).toMatch(why);
      expect(errors.join('\n')).toContain('import-x/no-restricted-paths');
    }
  }, 180_000);

  it('accepts the same imports pointing the right way', () => {
    const probes: [string, string][] = [
      [
        'worker/src/jobs/probe.ts',
        "import { detect } from '../detection/detect';\nimport { createDb } from '../db/pool';\nexport const probe = [detect, createDb];\n",
      ],
      [
        'worker/src/cli/probe.ts',
        "import { startSimulatorServer } from '@cursor-cost-watch/simulator';\nexport const probe = startSimulatorServer;\n",
      ],
    ];
    for (const [file, code] of probes) expect({ file, ...lint(file, code) }).toEqual({ file, errors: [], status: 0 });
  }, 180_000);
});
