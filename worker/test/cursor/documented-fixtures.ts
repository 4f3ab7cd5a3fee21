import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Payloads written from the examples in Cursor's API docs as collected in shared/design/cursor-api.md, one file per
 * example under ./fixtures, each naming the doc section it comes from and what had to be filled in.
 */
const fixtureSchema = z.strictObject({
  /** The heading of shared/design/cursor-api.md the example is under. */
  section: z.string().min(1),
  /** The request it answers, as the client names it: "GET /teams/members". */
  endpoint: z.string().regex(/^(GET|POST) \/\S+$/),
  /** An error answer's status; absent for a 200. */
  status: z.number().int().min(400).max(599).optional(),
  /** What was taken as written and what had to be filled in. */
  note: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});
export type DocumentedFixture = z.output<typeof fixtureSchema> & { file: string };

const DIR = path.join(__dirname, 'fixtures');

/** Every fixture, checked; a malformed one fails naming its file. */
export function documentedFixtures(): DocumentedFixture[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = fixtureSchema.safeParse(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
      if (!parsed.success) throw new Error(`fixtures/${file}: ${z.prettifyError(parsed.error)}`);
      return { ...parsed.data, file };
    });
}

export function documentedFixture(file: string): DocumentedFixture {
  const found = documentedFixtures().find((f) => f.file === file);
  if (!found) throw new Error(`no fixture fixtures/${file}`);
  return found;
}
