// The Fastify application: security headers, cookies, forms, static assets, OpenAPI, health, metrics, the
// problem+json error model, then the kernel's auth routes and every module's routes and pages.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Platform } from '../platform.js';
import type { ModuleManifest } from '../module.js';
import { HttpProblem } from './problem.js';
import { renderErrorPage } from '../views/error-page.js';
import { registerAuth } from '../auth/index.js';

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** True when the client should get JSON (API paths or an explicit Accept), false for pages. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/pagopa/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: HttpProblem) {
  if (wantsJson(request)) {
    return reply.status(problem.status).type('application/problem+json').send(problem.body(request.url));
  }
  return reply.status(problem.status).type('text/html; charset=utf-8').send(renderErrorPage(problem, request));
}

/** Fastify's validation errors name the field: '/limit must be <= 200' → field 'limit'. */
function validationProblem(error: { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string }): HttpProblem {
  const errors = (error.validation ?? []).map((v) => {
    const missing = typeof v.params?.missingProperty === 'string' ? v.params.missingProperty : undefined;
    const field = missing ?? (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    return { field: field || (error.validationContext ?? 'request'), message: v.message ?? 'non valido' };
  });
  const where = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new HttpProblem(400, 'Richiesta non valida', `Parametri non validi (${where})`, { errors });
}

export async function buildApp(platform: Platform, modules: ModuleManifest[]): Promise<App> {
  const app = Fastify({
    loggerInstance: platform.log,
    // A hop count becomes proxy-addr's function form (Fastify's types take boolean, addresses or a function).
    trustProxy: typeof platform.config.trustProxy === 'number' ? ((hops: number) => (_address: string, hop: number) => hop < hops)(platform.config.trustProxy) : platform.config.trustProxy,
    bodyLimit: 25 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Metrics: default process metrics and request durations, per app (tests run several apps per process).
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        formAction: ["'self'", ...(platform.config.oidcIssuer ? [new URL(platform.config.oidcIssuer).origin] : [])],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: platform.config.secureCookies,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie, { secret: platform.secrets.cookie });
  await app.register(formbody);

  const bootstrapDist = path.join(path.dirname(require.resolve('bootstrap-italia/package.json')), 'dist');
  await app.register(fastifyStatic, { root: bootstrapDist, prefix: '/assets/bootstrap-italia/', maxAge: '7d', decorateReply: false });
  await app.register(fastifyStatic, { root: path.join(here, '..', 'views', 'static'), prefix: '/assets/platform/', maxAge: '1d', decorateReply: false });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Comuni in Rete API',
        description: 'API JSON della piattaforma del Centro Servizi Territoriale. Errori in formato RFC 9457 (application/problem+json).',
        version: '1.0.0',
      },
      servers: [{ url: platform.config.publicUrl }],
    },
    hideUntagged: false,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(platform.db.app);
      return { status: 'ready' };
    } catch {
      return reply.status(503).type('application/problem+json').send(new HttpProblem(503, 'Database non raggiungibile').body('/readyz'));
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.setErrorHandler((error: any, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(request, reply, error);
    if (error.validation) return sendProblem(request, reply, validationProblem(error));
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (bad JSON, body too large, unsupported media type): keep the status.
      return sendProblem(request, reply, new HttpProblem(status, status === 413 ? 'Contenuto troppo grande' : 'Richiesta non valida', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, new HttpProblem(500, 'Errore interno', 'Si è verificato un errore imprevisto.'));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, new HttpProblem(404, 'Non trovato', `Nessuna risorsa per ${request.method} ${request.url.split('?')[0]}`)));

  await registerAuth(app, platform);
  for (const module of modules) {
    if (module.routes) await module.routes(app, platform);
    if (module.pages) await module.pages(app, platform);
  }
  return app;
}
