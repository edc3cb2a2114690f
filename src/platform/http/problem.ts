// RFC 9457 problem details: the one error shape of the JSON API. Pages show the same problem as an
// Italian error page (see views/error-page.tsx).

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }

  body(instance?: string): ProblemBody {
    return {
      type: `https://comuni-in-rete.example/problems/${this.status}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export const badRequest = (detail: string, extensions?: Record<string, unknown>) =>
  new HttpProblem(400, 'Richiesta non valida', detail, extensions);
export const unauthorized = (detail = 'Accesso richiesto') => new HttpProblem(401, 'Non autenticato', detail);
export const forbidden = (detail = 'Non hai i permessi per questa operazione') =>
  new HttpProblem(403, 'Accesso negato', detail);
export const notFound = (detail = 'La risorsa richiesta non esiste') => new HttpProblem(404, 'Non trovato', detail);
export const conflict = (detail: string) => new HttpProblem(409, 'Conflitto', detail);
export const unprocessable = (detail: string, extensions?: Record<string, unknown>) =>
  new HttpProblem(422, 'Dati non accettabili', detail, extensions);
export const tooManyRequests = (detail: string) => new HttpProblem(429, 'Troppe richieste', detail);
