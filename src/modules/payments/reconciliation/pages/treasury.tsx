// The treasury lines of an ente: the credits recorded (with the flow each carries), the import of a bank
// statement (CSV, with a row-by-row report) and a credit typed by hand.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, csrfToken } from '../../../../platform/auth/index.js';
import { withEnte } from '../../../../platform/db/index.js';
import type { App } from '../../../../platform/http/app.js';
import { unprocessable } from '../../../../platform/http/problem.js';
import type { Platform } from '../../../../platform/platform.js';
import type { Ente } from '../../../../platform/tenancy/index.js';
import { formatDate, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import { AmountError, parseEuroToCents } from '../../amounts.js';
import { statementDate } from '../dates.js';
import { anomaliesIn, treasuryIn } from '../reads.js';
import { addTreasuryLines, type TreasuryImport } from '../service.js';
import { parseStatement, type StatementRow } from '../treasury.js';
import { ErrorAlert, RecLayout, SuccessAlert, euro, guard, isFormProblem, recPath, sendPage } from './common.js';
import { fieldOf, fileOf } from './upload.js';

const Params = Type.Object({ slug: Type.String({ maxLength: 100 }) });

interface Feedback {
  error?: string;
  done?: TreasuryImport;
  report?: StatementRow[];
  typed?: Record<string, string>;
}

async function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, ente: Ente, feedback: Feedback = {}, status = 200) {
  const { lines, anomalies } = await withEnte(platform.db.app, ente.id, async (trx) => ({ lines: await treasuryIn(trx, { limit: 200 }), anomalies: (await anomaliesIn(trx)).length }));
  const base = `${recPath(ente.slug)}/tesoreria`;
  const csrf = csrfToken(request, reply);
  const typed = feedback.typed ?? {};
  const reported = (feedback.report ?? []).filter((r) => r.outcome !== 'ok');
  return sendPage(
    reply,
    <RecLayout request={request} ente={ente} title={t('payments.rec.treasury.title', { name: ente.name })} current="treasury" anomalies={anomalies}>
      <p>{t('payments.rec.treasury.intro')}</p>
      {feedback.error ? <ErrorAlert>{feedback.error}</ErrorAlert> : null}
      {feedback.done ? <SuccessAlert>{t('payments.rec.esito.treasury', { created: feedback.done.created, duplicates: feedback.done.duplicates, linked: feedback.done.linked })}</SuccessAlert> : null}
      {feedback.report && reported.length > 0 ? (
        <section aria-labelledby="rapporto" class="mb-4">
          <h2 id="rapporto" class="h5">
            {t('payments.rec.treasury.csvReport')}
          </h2>
          <ul id="rapporto-righe">
            {reported.map((r) => (
              <li>{t('payments.rec.treasury.csvRow', { line: r.line, message: r.message ?? '' })}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="estratto" class="mb-5">
        <h2 id="estratto" class="h4">
          {t('payments.rec.treasury.csv')}
        </h2>
        <form method="post" action={`${base}/estratto`} enctype="multipart/form-data" class="row g-3 align-items-end">
          <CsrfField token={csrf} />
          <div class="col-md-8">
            <label for="estratto-file" class="form-label">
              {t('payments.rec.treasury.csvFile')}
            </label>
            <input type="file" id="estratto-file" name="estratto" accept=".csv,text/csv" class="form-control" required aria-describedby="estratto-aiuto" />
            <p id="estratto-aiuto" class="form-text">
              {t('payments.rec.treasury.csvHelp')}
            </p>
          </div>
          <div class="col-md-4">
            <button type="submit" class="btn btn-primary">
              {t('payments.rec.treasury.csvSubmit')}
            </button>
          </div>
        </form>
      </section>
      <section aria-labelledby="manuale" class="mb-5">
        <h2 id="manuale" class="h4">
          {t('payments.rec.treasury.manual')}
        </h2>
        <form method="post" action={base} class="row g-3">
          <CsrfField token={csrf} />
          <div class="col-md-3">
            <label for="data" class="form-label">
              {t('payments.rec.treasury.date')}
            </label>
            <input type="date" id="data" name="data" class="form-control" required value={typed.data ?? ''} />
          </div>
          <div class="col-md-3">
            <label for="importo" class="form-label">
              {t('payments.rec.treasury.amount')}
            </label>
            <input type="text" inputMode="decimal" id="importo" name="importo" class="form-control" required value={typed.importo ?? ''} aria-describedby="importo-aiuto" />
            <p id="importo-aiuto" class="form-text">
              {t('payments.rec.treasury.amountHelp')}
            </p>
          </div>
          <div class="col-md-6">
            <label for="causale" class="form-label">
              {t('payments.rec.treasury.remittance')}
            </label>
            <input type="text" id="causale" name="causale" class="form-control" required maxLength={500} value={typed.causale ?? ''} aria-describedby="causale-aiuto" />
            <p id="causale-aiuto" class="form-text">
              {t('payments.rec.treasury.remittanceHelp')}
            </p>
          </div>
          <div class="col-md-6">
            <label for="riferimento" class="form-label">
              {t('payments.rec.treasury.reference')}
            </label>
            <input type="text" id="riferimento" name="riferimento" class="form-control" maxLength={100} value={typed.riferimento ?? ''} />
          </div>
          <div class="col-12">
            <button type="submit" class="btn btn-primary">
              {t('payments.rec.treasury.submit')}
            </button>
          </div>
        </form>
      </section>
      <section aria-labelledby="accrediti" class="mb-5">
        <h2 id="accrediti" class="h4">
          {t('payments.rec.treasury.list')}
        </h2>
        {lines.length === 0 ? (
          <p>{t('payments.rec.treasury.empty')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table table-sm align-middle" id="tabella-tesoreria">
              <caption>{t('payments.rec.treasury.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('payments.rec.col.valueDate')}</th>
                  <th scope="col" class="text-end">
                    {t('payments.rec.col.amount')}
                  </th>
                  <th scope="col">{t('payments.rec.col.remittance')}</th>
                  <th scope="col">{t('payments.rec.col.reference')}</th>
                  <th scope="col">{t('payments.rec.col.flowMatch')}</th>
                </tr>
              </thead>
              <tbody>
                {lines.map((l) => (
                  <tr>
                    <th scope="row">{formatDate(l.value_date)}</th>
                    <td class="text-end">{euro(l.amount_cents).replace(' €', '')}</td>
                    <td class="text-break">{l.remittance}</td>
                    <td>{l.reference ?? '—'}</td>
                    <td>
                      {l.fdr_id ? <a href={`${recPath(ente.slug)}/flussi/${l.fdr_id}`}>{l.flow_id}</a> : null} {t(`payments.rec.tstate.${l.match_status}`)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </RecLayout>,
    status,
  );
}

/** A credit typed in the form, or 422 with an Italian message. */
export function typedLine(fields: { data?: string; importo?: string; causale?: string; riferimento?: string }) {
  const valueDate = statementDate(fields.data ?? '');
  if (!valueDate) throw unprocessable(t('payments.rec.treasury.badDate'));
  let amountCents: number;
  try {
    amountCents = parseEuroToCents(fields.importo ?? '');
  } catch (err) {
    throw unprocessable(err instanceof AmountError ? err.message : 'Importo non valido');
  }
  return { valueDate, amountCents, remittance: fields.causale ?? '', reference: fields.riferimento || null };
}

export function registerTreasuryPages(app: App, platform: Platform) {
  app.get('/backoffice/enti/:slug/pagamenti/riconciliazione/tesoreria', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.read');
    if (!g) return reply;
    return render(request, reply, platform, g.ente);
  });

  app.post('/backoffice/enti/:slug/pagamenti/riconciliazione/tesoreria', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    const typed = Object.fromEntries(['data', 'importo', 'causale', 'riferimento'].map((k) => [k, fieldOf(request.body, k)]));
    try {
      const done = await addTreasuryLines(platform.db.app, actorOf(request), g.ente.id, [typedLine(typed)], 'manual');
      return render(request, reply, platform, g.ente, { done });
    } catch (err) {
      if (isFormProblem(err)) return render(request, reply, platform, g.ente, { error: err.detail ?? err.title, typed }, err.status);
      throw err;
    }
  });

  app.post('/backoffice/enti/:slug/pagamenti/riconciliazione/tesoreria/estratto', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'payments.manage');
    if (!g) return reply;
    try {
      const file = fileOf(request, 'estratto', t('payments.rec.treasury.csvMissing'));
      const parsed = parseStatement(file.bytes);
      if (parsed.error) throw unprocessable(parsed.error);
      const inputs = parsed.rows.flatMap((r) => (r.input ? [r.input] : []));
      if (inputs.length === 0) return render(request, reply, platform, g.ente, { error: t('payments.rec.treasury.csvNone'), report: parsed.rows }, 422);
      const done = await addTreasuryLines(platform.db.app, actorOf(request), g.ente.id, inputs, 'csv');
      return render(request, reply, platform, g.ente, { done, report: parsed.rows });
    } catch (err) {
      if (isFormProblem(err)) return render(request, reply, platform, g.ente, { error: err.detail ?? err.title }, err.status);
      throw err;
    }
  });
}
