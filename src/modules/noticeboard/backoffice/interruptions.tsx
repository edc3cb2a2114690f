// Interruptions of the service (/backoffice/enti/{slug}/albo/interruzioni): the periods when the albo was not
// reachable, and the form to declare one. The times are typed as wall-clock times of Italy (datetime-local
// fields, Europe/Rome, summer time included); every act in publication on a day touched is extended.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { declareInterruption } from '../service.js';
import { AlboLayout, ErrorAlert, LocalTimeError, Outcome, alboPath, canPublish, fieldsOf, formatDateTime, guard, isFormProblem, problemMessage, romeLocalOf, romeLocalToDate, sendPage, type Guarded } from './common.js';

export interface InterruptionRow {
  id: number;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  declaredAt: Date;
  extended: number;
}

/** The declared interruptions of the ente, newest first, with the number of acts each one extended. */
export async function interruptionsOf(platform: Platform, enteId: string): Promise<InterruptionRow[]> {
  const rows = await withEnte(platform.db.app, enteId, (trx) =>
    trx
      .selectFrom('notice_interruption as i')
      .leftJoin('notice_extension as x', (j) => j.onRef('x.ente_id', '=', 'i.ente_id').onRef('x.interruption_id', '=', 'i.id'))
      .select(['i.id', 'i.starts_at', 'i.ends_at', 'i.reason', 'i.declared_at'])
      .select((eb) => eb.fn.count<number>('x.notice_id').as('extended'))
      .groupBy(['i.id', 'i.starts_at', 'i.ends_at', 'i.reason', 'i.declared_at'])
      .orderBy('i.starts_at', 'desc')
      .execute(),
  );
  return rows.map((r) => ({ id: r.id, startsAt: r.starts_at, endsAt: r.ends_at, reason: r.reason, declaredAt: new Date(r.declared_at as unknown as string), extended: Number(r.extended) }));
}

async function renderPage(request: FastifyRequest, reply: FastifyReply, platform: Platform, g: Guarded, feedback: { esito?: string | undefined; extended?: number; error?: string; values?: Record<string, string> }, status = 200) {
  const { ente } = g;
  const rows = await interruptionsOf(platform, ente.id);
  const title = t('noticeboard.bo.interruption.title');
  const values = feedback.values ?? {};
  const nowLocal = romeLocalOf(new Date());
  return sendPage(
    reply,
    <AlboLayout request={request} ente={ente} title={title} crumbs={[{ label: title }]}>
      <h1>{title}</h1>
      <p>{t('noticeboard.bo.interruption.intro')}</p>
      <Outcome esito={feedback.esito} vars={{ count: feedback.extended ?? 0 }} />
      {feedback.error ? <ErrorAlert>{feedback.error}</ErrorAlert> : null}
      <section aria-labelledby="elenco" class="mb-5">
        <h2 id="elenco" class="h4">
          {t('noticeboard.bo.interruption.list')}
        </h2>
        {rows.length === 0 ? (
          <p>{t('noticeboard.bo.interruption.none')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table">
              <caption>{t('noticeboard.bo.interruption.caption', { name: ente.name })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('noticeboard.bo.interruption.col.start')}</th>
                  <th scope="col">{t('noticeboard.bo.interruption.col.end')}</th>
                  <th scope="col">{t('noticeboard.bo.interruption.col.reason')}</th>
                  <th scope="col">{t('noticeboard.bo.interruption.col.declared')}</th>
                  <th scope="col">{t('noticeboard.bo.interruption.col.extended')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <th scope="row">{formatDateTime(r.startsAt)}</th>
                    <td>{formatDateTime(r.endsAt)}</td>
                    <td>{r.reason}</td>
                    <td>{formatDateTime(r.declaredAt)}</td>
                    <td>{r.extended}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canPublish(g) ? (
        <section aria-labelledby="dichiara" class="mb-5">
          <h2 id="dichiara" class="h4">
            {t('noticeboard.bo.interruption.declare')}
          </h2>
          <form method="post" action={`${alboPath(ente.slug)}/interruzioni`} class="border rounded p-3">
            <CsrfField token={csrfToken(request, reply)} />
            <p id="interruzione-aiuto" class="small">
              {t('noticeboard.bo.interruption.help')}
            </p>
            <div class="row">
              <div class="col-md-6 mb-3">
                <label for="interruzione-inizio" class="form-label">
                  {t('noticeboard.bo.interruption.start')}
                </label>
                <input type="datetime-local" id="interruzione-inizio" name="startsAt" value={values.startsAt ?? ''} max={nowLocal} required class="form-control" aria-describedby="interruzione-aiuto" />
              </div>
              <div class="col-md-6 mb-3">
                <label for="interruzione-fine" class="form-label">
                  {t('noticeboard.bo.interruption.end')}
                </label>
                <input type="datetime-local" id="interruzione-fine" name="endsAt" value={values.endsAt ?? ''} max={nowLocal} required class="form-control" aria-describedby="interruzione-aiuto" />
              </div>
            </div>
            <div class="mb-3">
              <label for="interruzione-causa" class="form-label">
                {t('noticeboard.bo.interruption.reason')}
              </label>
              <textarea id="interruzione-causa" name="reason" rows={2} required minLength={3} maxLength={2000} class="form-control">
                {values.reason ?? ''}
              </textarea>
            </div>
            <button type="submit" class="btn btn-primary">
              {t('noticeboard.bo.interruption.submit')}
            </button>
          </form>
        </section>
      ) : null}
      <p>
        <a href={alboPath(ente.slug)}>{t('noticeboard.bo.detail.back')}</a>
      </p>
    </AlboLayout>,
    status,
  );
}

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });

function instant(value: string | undefined): Date {
  if (!value) throw unprocessable(t('noticeboard.bo.interruption.invalidTime'));
  try {
    return romeLocalToDate(value);
  } catch (err) {
    if (err instanceof LocalTimeError) throw unprocessable(err.message);
    throw err;
  }
}

export function registerInterruptionPages(app: App, platform: Platform) {
  app.get(
    '/backoffice/enti/:slug/albo/interruzioni',
    { schema: { hide: true, params: SlugParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })), prorogati: Type.Optional(Type.String({ maxLength: 6 })) }) } },
    async (request, reply) => {
      const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.read');
      if (!g) return reply;
      const extended = /^\d{1,6}$/.test(request.query.prorogati ?? '') ? Number(request.query.prorogati) : 0;
      return renderPage(request, reply, platform, g, { esito: request.query.esito, extended });
    },
  );

  app.post('/backoffice/enti/:slug/albo/interruzioni', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug, 'noticeboard.publish');
    if (!g) return reply;
    const fields = fieldsOf(request.body);
    try {
      const startsAt = instant(fields.startsAt);
      const endsAt = instant(fields.endsAt);
      const result = await declareInterruption(platform, actorOf(request), g.ente.id, { startsAt, endsAt, reason: fields.reason ?? '' });
      const esito = result.extended === 1 ? 'interruzione-uno' : 'interruzione';
      return reply.redirect(`${alboPath(g.ente.slug)}/interruzioni?esito=${esito}&prorogati=${result.extended}`, 303);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderPage(request, reply, platform, g, { error: problemMessage(err), values: fields }, err.status);
    }
  });
}
