// The App IO peer's own process (started by appio-peer.ts): an HTTP server answering the App IO services API
// operations the platform uses (getProfile, getProfileByPOST, submitMessageforUser, submitMessageforUser-
// WithFiscalCodeInBody) under /api/v1, validating every request against the official spec
// (../shared/specs/appio/index.yaml) with openapi-enforcer, which reads Swagger 2.0 as it is. An invalid request
// (unknown path, missing subscription key, body or path parameter outside the schema) is answered 400 with the
// validation errors as problem+json and recorded, so a test can assert that the platform sent none.
//
// The spec is loaded from the official file and reduced to those four operations and the definitions they
// reach: openapi-enforcer rejects unrelated parts of the full document (e.g. the logo definitions' byte format),
// and the rules for the operations served are untouched.
//
// Control (not part of the spec): GET /__peer/state → { calls, messages, invalid }; POST /__peer/config with
// any of { profiles, keys, fail429First, retryAfter, fail500First, hangFirst } (counted over the API calls from
// then on). Prints {"port": N} on stdout once listening; exits when its stdin closes.
import fs from 'node:fs';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Enforcer from 'openapi-enforcer';
import { parse as parseYaml } from 'yaml';

export interface AppIoPeerConfig {
  /** Fiscal code → sender_allowed; other fiscal codes have no IO profile (404). */
  profiles: Record<string, boolean>;
  /** Accepted subscription keys. */
  keys: string[];
  /** The next N API calls answer 429 with Retry-After: retryAfter (seconds). */
  fail429First: number;
  retryAfter: number;
  /** The next N API calls answer 500. */
  fail500First: number;
  /** The next N API calls get no answer (the client times out). */
  hangFirst: number;
}

export interface PeerCall {
  operationId: string | null;
  method: string;
  path: string;
  status: number;
  apiKey: string | null;
}

export interface PeerMessage {
  id: string;
  fiscalCode: string;
  subject: string;
  markdown: string;
  apiKey: string;
  body: unknown;
}

export interface PeerInvalid {
  method: string;
  path: string;
  errors: string;
}

const SERVED = ['/profiles', '/profiles/{fiscal_code}', '/messages', '/messages/{fiscal_code}'];
const SPEC = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'specs', 'appio', 'index.yaml');
const BASE = '/api/v1';

/** The spec reduced to the served paths and every definition or parameter they reach through $ref. */
function servedSpec(full: Record<string, any>): Record<string, any> {
  const keep = { definitions: new Set<string>(), parameters: new Set<string>() };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const ref = key === '$ref' && typeof value === 'string' ? /^#\/(definitions|parameters)\/(.+)$/.exec(value) : null;
      if (ref) {
        const [, section, name] = ref as unknown as [string, 'definitions' | 'parameters', string];
        if (!keep[section].has(name)) {
          keep[section].add(name);
          visit(full[section][name]);
        }
      } else visit(value);
    }
  };
  const paths = Object.fromEntries(SERVED.map((p) => [p, full.paths[p]]));
  visit(paths);
  const pick = (section: 'definitions' | 'parameters') => Object.fromEntries([...keep[section]].map((n) => [n, full[section][n]]));
  return { ...full, paths, definitions: pick('definitions'), parameters: pick('parameters') };
}

/** The spec's own formats (io-ts types in PagoPA's code), checked as PagoPA checks them. */
function defineFormats(): void {
  const pattern = (rx: RegExp, what: string) => ({
    constructors: [String],
    deserialize: ({ value }: { value: unknown }) => value,
    serialize: ({ value }: { value: unknown }) => value,
    validate: ({ exception, value }: { exception: { message(m: string): void }; value: unknown }) => {
      if (typeof value !== 'string' || !rx.test(value)) exception.message(`Expected ${what}. Received: ${JSON.stringify(value)}`);
    },
  });
  const Schema = (Enforcer as any).v2_0.Schema;
  Schema.defineDataTypeFormat('string', 'FiscalCode', pattern(/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/, 'a fiscal code'));
  Schema.defineDataTypeFormat('string', 'Ulid', pattern(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID'));
  Schema.defineDataTypeFormat('string', 'UTCISODateFromString', pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'an ISO 8601 UTC date-time'));
  Schema.defineDataTypeFormat('string', 'OrganizationFiscalCode', pattern(/^[0-9]{11}$/, 'an organization fiscal code'));
  Schema.defineDataTypeFormat('string', 'EmailString', pattern(/^[^\s@]+@[^\s@]+$/, 'an e-mail address'));
}

const options = JSON.parse(process.argv[2] ?? '{}') as Partial<AppIoPeerConfig>;
const config: AppIoPeerConfig = { profiles: {}, keys: [], fail429First: 0, retryAfter: 1, fail500First: 0, hangFirst: 0, ...options };
const calls: PeerCall[] = [];
const messages: PeerMessage[] = [];
const invalid: PeerInvalid[] = [];
const hanging = new Set<http.ServerResponse>();

defineFormats();
const [api, specError] = await (Enforcer as any)(servedSpec(parseYaml(fs.readFileSync(SPEC, 'utf8'))), { fullResult: true, componentOptions: { exceptionSkipCodes: ['WSCH001'] } });
if (!api) {
  process.stderr.write(`App IO peer: the spec does not load: ${specError}\n`);
  process.exit(1);
}

const ulid = () => {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return [...randomBytes(26)].map((b) => alphabet[b % 32]).join('');
};

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const problem = status >= 400 && body !== undefined;
  res.writeHead(status, { ...(body !== undefined ? { 'content-type': problem ? 'application/problem+json' : 'application/json' } : {}), ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

const problem = (status: number, title: string, detail: string) => ({ type: 'about:blank', title, status, detail });

function control(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
  if (req.method === 'GET' && req.url === '/__peer/state') return send(res, 200, { calls, messages, invalid });
  if (req.method === 'POST' && req.url === '/__peer/config') {
    Object.assign(config, JSON.parse(raw || '{}'));
    return send(res, 200, config);
  }
  send(res, 404, problem(404, 'Not Found', 'unknown control path'));
}

function api_(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
  const method = (req.method ?? 'GET').toLowerCase();
  const url = new URL(req.url ?? '/', 'http://peer');
  const apiKey = (req.headers['ocp-apim-subscription-key'] as string | undefined) ?? null;
  const record = (operationId: string | null, status: number) => calls.push({ operationId, method, path: url.pathname, status, apiKey });
  const reject = (status: number, errors: string) => {
    invalid.push({ method, path: url.pathname, errors });
    record(null, status);
    send(res, status, problem(status, 'Invalid request', errors));
  };
  if (!url.pathname.startsWith(`${BASE}/`)) return reject(404, `path outside the basePath ${BASE}`);
  let body: unknown;
  if (raw !== '') {
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return reject(400, `unsupported content-type ${req.headers['content-type'] ?? '(none)'}`);
    try {
      body = JSON.parse(raw);
    } catch {
      return reject(400, 'the body is not JSON');
    }
  }
  const [request, error] = api.request({ method, path: url.pathname.slice(BASE.length) + url.search, headers: req.headers, ...(body !== undefined ? { body } : {}) });
  if (error) return reject(error.statusCode ?? 400, String(error));
  const operationId = request.operation.operationId as string;
  // Every served operation requires the SubscriptionKey security scheme (an apiKey header).
  if (!apiKey) return reject(401, 'missing Ocp-Apim-Subscription-Key header (security: SubscriptionKey)');
  if (config.hangFirst > 0) {
    config.hangFirst--;
    record(operationId, 0);
    hanging.add(res);
    return;
  }
  if (config.fail429First > 0) {
    config.fail429First--;
    record(operationId, 429);
    return send(res, 429, undefined, { 'retry-after': String(config.retryAfter) });
  }
  if (config.fail500First > 0) {
    config.fail500First--;
    record(operationId, 500);
    return send(res, 500, problem(500, 'Internal Server Error', 'The message cannot be delivered'));
  }
  if (!config.keys.includes(apiKey)) {
    record(operationId, 401);
    return send(res, 401);
  }
  const fiscalCode = (request.path.fiscal_code ?? (request.body as { fiscal_code?: string }).fiscal_code) as string;
  if (operationId === 'getProfile' || operationId === 'getProfileByPOST') {
    if (!(fiscalCode in config.profiles)) {
      record(operationId, 404);
      return send(res, 404, problem(404, 'Profile not found', 'No user found for the provided fiscal code'));
    }
    record(operationId, 200);
    return send(res, 200, { sender_allowed: config.profiles[fiscalCode], preferred_languages: ['it_IT'] });
  }
  if (!fiscalCode) return reject(400, 'no fiscal_code in the path or the body');
  if (!config.profiles[fiscalCode]) {
    record(operationId, 403);
    return send(res, 403);
  }
  const content = (body as { content: { subject: string; markdown: string } }).content;
  const id = ulid();
  messages.push({ id, fiscalCode, subject: content.subject, markdown: content.markdown, apiKey, body });
  record(operationId, 201);
  send(res, 201, { id }, { location: `${BASE}/messages/${fiscalCode}/${id}` });
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    try {
      if (req.url?.startsWith('/__peer/')) control(req, res, raw);
      else api_(req, res, raw);
    } catch (err) {
      send(res, 500, problem(500, 'Peer error', String(err)));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});

const exit = () => {
  for (const res of hanging) res.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', exit);
process.stdin.on('end', exit);
process.stdin.resume();
