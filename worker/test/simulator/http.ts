/** Small fetch helpers for talking to the simulator over real HTTP. */
export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

export async function post(url: string, key: string | null, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: basic(key) }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

export async function get(url: string, key: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: { ...(key === null ? {} : { authorization: basic(key) }), ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** A fixed clock: Wednesday 2026-03-18 15:30 UTC. */
export const NOW = Date.UTC(2026, 2, 18, 15, 30);
export const DAY = 86_400_000;
export const utcDay = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);
