/** A response from Grafana's HTTP API: the status and the body (JSON when it parses, else the text). */
export interface GrafanaResponse {
  status: number;
  body: unknown;
}

export interface Credentials {
  user: string;
  password: string;
}

/** Grafana's HTTP API with basic auth ([auth.basic] is on by default), one user per client. */
export class GrafanaClient {
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
    private readonly timeoutMs = 30_000,
  ) {}

  as(credentials: Credentials): GrafanaClient {
    return new GrafanaClient(this.baseUrl, credentials, this.timeoutMs);
  }

  async request(method: string, path: string, body?: unknown): Promise<GrafanaResponse> {
    const auth = Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64');
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Basic ${auth}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  post(path: string, body: unknown) {
    return this.request('POST', path, body);
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Grafana's error bodies are {message}; the worker's are {error, message}. */
export function messageOf(body: unknown): string {
  if (isObject(body)) return String(body.message ?? body.error ?? JSON.stringify(body)).slice(0, 160);
  return String(body ?? '').slice(0, 160);
}
