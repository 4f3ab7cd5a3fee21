import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dayOfMs, dayNumberIso, parseIsoDay } from '../days';
import type { SimulatedTeam } from '../types';
import { MAX_RANGE_DAYS } from './admin-routes';
import { badRequest } from './errors';
import { analyticsQuery, parseRequest } from './request-schemas';

function range(team: SimulatedTeam, request: FastifyRequest): { startDate: string; endDate: string } {
  const q = parseRequest(analyticsQuery, request.query, 'query');
  const today = dayOfMs(team.now());
  const endDate = q.endDate ?? dayNumberIso(today);
  const startDate = q.startDate ?? dayNumberIso((parseIsoDay(endDate) ?? today) - 6);
  const start = parseIsoDay(startDate);
  const end = parseIsoDay(endDate);
  if (start === null) throw badRequest(`startDate is not a calendar day: ${startDate}`);
  if (end === null) throw badRequest(`endDate is not a calendar day: ${endDate}`);
  if (end < start) throw badRequest('startDate must not be after endDate');
  if (end - start + 1 > MAX_RANGE_DAYS) throw badRequest(`Date range cannot exceed ${MAX_RANGE_DAYS} days`);
  return { startDate, endDate };
}

/** Analytics answers are cacheable: ETag + Cache-Control, and If-None-Match → 304 (which `notModified` refunds). */
function cached(request: FastifyRequest, reply: FastifyReply, body: unknown, notModified: () => void) {
  const text = JSON.stringify(body);
  const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
  reply.header('ETag', etag).header('Cache-Control', 'public, max-age=900');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
    notModified();
    return reply.code(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(text);
}

export function registerAnalyticsRoutes(
  app: FastifyInstance,
  team: SimulatedTeam,
  notModified: (endpoint: string) => void,
): void {
  app.get('/analytics/team/dau', async (request, reply) => {
    const r = range(team, request);
    const body = { data: team.analyticsDau(r.startDate, r.endDate), params: { metric: 'dau', ...r } };
    return cached(request, reply, body, () => notModified('GET /analytics/team/dau'));
  });
  app.get('/analytics/team/models', async (request, reply) => {
    const r = range(team, request);
    const body = { data: team.analyticsModels(r.startDate, r.endDate), params: { metric: 'models', ...r } };
    return cached(request, reply, body, () => notModified('GET /analytics/team/models'));
  });
}
