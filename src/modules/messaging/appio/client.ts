// Client for the App IO services API (../shared/specs/appio/index.yaml, Swagger 2.0, basePath /api/v1).
// Two operations, the ones the spec prescribes for sending: getProfileByPOST (POST /profiles, the fiscal code in
// the body so it never appears in URLs and access logs) and submitMessageforUserWithFiscalCodeInBody
// (POST /messages). Authentication: the service's key in the Ocp-Apim-Subscription-Key header.
// Every failure is an AppIoError whose `kind` tells the caller what it may do next (retry, wait, give up).

/** The spec's FiscalCode path parameter pattern (upper case). */
export const FISCAL_CODE_PATTERN = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

export type AppIoErrorKind =
  /** 429: wait `retryAfterMs`; the request was not processed. */
  | 'throttled'
  /** 5xx, or no connection could be made: the request was not processed. */
  | 'unavailable'
  /** No answer (timeout, connection cut): the request may or may not have been processed. */
  | 'timeout'
  /** 400: the request does not satisfy the spec; retrying cannot help. */
  | 'invalid'
  /** 401/403: wrong or revoked key, or the service may not send; retrying cannot help. */
  | 'unauthorized'
  /** Any other unexpected answer. */
  | 'unexpected';

export class AppIoError extends Error {
  constructor(
    message: string,
    readonly kind: AppIoErrorKind,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'AppIoError';
  }
}

export interface AppIoClientOptions {
  /** e.g. https://api.io.pagopa.it/api/v1 (config.appIoUrl). */
  baseUrl: string;
  /** The service's subscription key. */
  apiKey: string;
  timeoutMs?: number;
}

export interface AppIoProfile {
  /** The citizen has IO and has not disabled this service. */
  senderAllowed: boolean;
}

export interface AppIoMessage {
  fiscalCode: string;
  subject: string;
  markdown: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** When a 429 carries no usable Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 30_000;

/** Retry-After as delay-seconds or HTTP-date (RFC 9110 §10.2.3), in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** "1 secondo", "42 secondi", "0,5 secondi". */
function seconds(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return `${s.toLocaleString('it-IT')} ${s === 1 ? 'secondo' : 'secondi'}`;
}

export class AppIoClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: AppIoClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** getProfileByPOST: null when the citizen has no IO profile (404). */
  async getProfile(fiscalCode: string): Promise<AppIoProfile | null> {
    const response = await this.post('/profiles', { fiscal_code: fiscalCode }, 'verifica del profilo');
    if (response.status === 404) return null;
    if (response.status !== 200) throw await unexpected(response, 'verifica del profilo');
    const body = (await response.json().catch(() => null)) as { sender_allowed?: unknown } | null;
    return { senderAllowed: body?.sender_allowed === true };
  }

  /** submitMessageforUserWithFiscalCodeInBody: the id IO gave the message. */
  async submitMessage(message: AppIoMessage): Promise<string> {
    const payload = { fiscal_code: message.fiscalCode, content: { subject: message.subject, markdown: message.markdown } };
    const response = await this.post('/messages', payload, 'invio del messaggio');
    if (response.status !== 201) throw await unexpected(response, 'invio del messaggio');
    const body = (await response.json().catch(() => null)) as { id?: unknown } | null;
    if (typeof body?.id !== 'string' || body.id === '') throw new AppIoError('App IO ha accettato il messaggio senza restituirne l’identificativo', 'unexpected', 201);
    return body.id;
  }

  private async post(path: string, body: unknown, what: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'ocp-apim-subscription-key': this.options.apiKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new AppIoError(`App IO non ha risposto entro ${seconds(this.timeoutMs)} (${what})`, 'timeout');
      const code = ((err as Error).cause as { code?: string } | undefined)?.code ?? '';
      // Refused or unresolvable: the request never left. Anything else (reset, cut) may have reached IO.
      if (NOT_SENT_CODES.has(code)) throw new AppIoError(`App IO non raggiungibile (${what}): ${code}`, 'unavailable');
      throw new AppIoError(`Connessione con App IO interrotta senza risposta (${what}): ${code || (err as Error).message}`, 'timeout');
    }
    if (response.status === 429) {
      await response.body?.cancel();
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after')) ?? DEFAULT_RETRY_AFTER_MS;
      throw new AppIoError(`App IO: troppe richieste, riprovare tra ${seconds(retryAfterMs)} (${what})`, 'throttled', 429, retryAfterMs);
    }
    return response;
  }
}

/** An AppIoError for an answer the operation does not expect, with the problem+json detail when there is one. */
async function unexpected(response: Response, what: string): Promise<AppIoError> {
  const text = await response.text().catch(() => '');
  let detail = '';
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string };
    detail = [problem.title, problem.detail].filter(Boolean).join(': ');
  } catch {
    detail = text.slice(0, 200);
  }
  const suffix = detail ? ` — ${detail}` : '';
  const status = response.status;
  if (status === 400) return new AppIoError(`App IO ha rifiutato la richiesta come non valida (${what})${suffix}`, 'invalid', status);
  if (status === 401 || status === 403) return new AppIoError(`App IO ha negato l’accesso: chiave del servizio errata o servizio non abilitato (${what}, HTTP ${status})`, 'unauthorized', status);
  if (status >= 500) return new AppIoError(`App IO temporaneamente non disponibile (${what}, HTTP ${status})${suffix}`, 'unavailable', status);
  return new AppIoError(`Risposta inattesa da App IO (${what}, HTTP ${status})${suffix}`, 'unexpected', status);
}
