/**
 * Simulator speed over real HTTP: npm run bench:simulator -- [--size 1000] [--days 1] [--page-size 1000]
 * Prints the first page (which counts the window) and the cost per following page of a window, plus spend and truth.
 */
import { DAY_MS } from '@cursor-cost-watch/contract';
import { parseArgs } from 'node:util';
import { createSimulatedTeam, startSimulatorServer } from '@cursor-cost-watch/simulator';

const { values } = parseArgs({
  options: { size: { type: 'string' }, days: { type: 'string' }, 'page-size': { type: 'string' } },
});
const size = Number(values.size ?? 1000);
const days = Number(values.days ?? 1);
const pageSize = Number(values['page-size'] ?? 1000);
const now = Date.UTC(2026, 2, 18, 15, 30);
const auth = { authorization: `Basic ${Buffer.from('bench:').toString('base64')}`, 'content-type': 'application/json' };

const ms = (t0: number) => performance.now() - t0;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function main() {
  let t0 = performance.now();
  const team = createSimulatedTeam({ seed: 1, teamSize: size, now: () => now });
  console.log(`team of ${size}: created in ${ms(t0).toFixed(1)} ms`);
  const server = await startSimulatorServer({ team, apiKey: 'bench', rateLimitsPerMinute: null });
  const endDate = Date.UTC(2026, 2, 18) - 1;
  const startDate = endDate + 1 - days * DAY_MS;
  const fetchPage = async (page: number) => {
    const res = await fetch(`${server.url}/teams/filtered-usage-events`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ startDate, endDate, page, pageSize }),
    });
    return (await res.json()) as { totalUsageEventsCount: number; pagination: { numPages: number } };
  };
  t0 = performance.now();
  const first = await fetchPage(1);
  console.log(
    `${days}-day window: ${first.totalUsageEventsCount} events, ${first.pagination.numPages} pages of ${pageSize}; first page ${ms(t0).toFixed(0)} ms`,
  );
  const times: number[] = [];
  for (let page = 2; page <= first.pagination.numPages; page++) {
    t0 = performance.now();
    await fetchPage(page);
    times.push(ms(t0));
  }
  if (times.length > 0) {
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `following pages: mean ${mean.toFixed(1)} ms, median ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`,
    );
  }
  // The server's own share of a page (render + serialise), without HTTP and the client's JSON parsing.
  const own: number[] = [];
  for (let page = 2; page <= first.pagination.numPages; page++) {
    t0 = performance.now();
    JSON.stringify(team.eventsPage(startDate, endDate, {}, page, pageSize));
    own.push(ms(t0));
  }
  if (own.length > 0)
    console.log(
      `server work per following page (render + JSON): median ${pct(own, 0.5).toFixed(1)} ms, p95 ${pct(own, 0.95).toFixed(1)} ms`,
    );
  t0 = performance.now();
  await fetch(`${server.url}/teams/spend`, { method: 'POST', headers: auth, body: '{}' }).then((r) => r.json());
  console.log(`/teams/spend (current cycle, all members): ${ms(t0).toFixed(0)} ms`);
  t0 = performance.now();
  const truth = team.truth();
  console.log(`truth(): ${truth.length} anomalies in ${ms(t0).toFixed(0)} ms`);
  console.log(`heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
  await server.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
