/** A delivery the receiver did not accept; the job fails and pg-boss retries it with backoff. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    public readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const TIMEOUT_MS = 10_000;

/** POSTs JSON and insists on a 2xx answer; anything else (including no answer) is a DeliveryError. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const where = new URL(url).origin; // never log the path: a Slack webhook URL is a secret
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new DeliveryError(`POST to ${where} failed: ${cause}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new DeliveryError(`POST to ${where} answered ${res.status}: ${text.slice(0, 200)}`, res.status);
}
