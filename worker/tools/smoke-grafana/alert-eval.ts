// Evaluating a provisioned rule the way Grafana's rule editor previews it: POST /api/v1/eval
// (pkg/services/ngalert/api/api_testing.go, TestingApiSrv.RouteEvalQueries, body apimodels.EvalQueriesPayload
// {data: [AlertQuery], now}). It builds an evaluator for the queries and expressions and answers
// backend.QueryDataResponse JSON: {results: {refId: {status, frames, error}}}, 400 when they cannot be built.

export interface ProvisionedRule {
  uid: string;
  title: string;
  condition: string;
  folderUID: string;
  ruleGroup: string;
  data: { refId: string; datasourceUid: string; relativeTimeRange?: { from: number; to: number }; model: unknown }[];
  annotations?: Record<string, string>;
  provenance?: string;
}

/** The /api/v1/eval body for a rule: every query and expression, the condition's inputs first as the editor sends them. */
export function evalRequest(rule: ProvisionedRule): { data: ProvisionedRule['data'] } {
  return {
    data: rule.data.map((q) => ({
      refId: q.refId,
      datasourceUid: q.datasourceUid,
      relativeTimeRange: q.relativeTimeRange ?? { from: 0, to: 0 },
      model: q.model,
    })),
  };
}

/** Problems in an /api/v1/eval answer: a non-200 status, a missing refId, or a refId that carries an error. */
export function evalProblems(rule: ProvisionedRule, status: number, body: unknown): string[] {
  if (status !== 200) {
    const message = (body as { message?: string })?.message ?? JSON.stringify(body);
    return [`HTTP ${status}: ${String(message).slice(0, 160)}`];
  }
  const results = (body as { results?: Record<string, { status?: number; error?: string }> })?.results ?? {};
  const problems: string[] = [];
  for (const q of rule.data) {
    const r = results[q.refId];
    if (!r) problems.push(`${q.refId}: no result`);
    else if (r.error) problems.push(`${q.refId}: ${r.error}`);
    else if (r.status !== undefined && r.status !== 200) problems.push(`${q.refId}: status ${r.status}`);
  }
  return problems;
}
