// Hours on site vs contracted, per ente (/backoffice/assistenza/interventi/ore?anno=…): an accessible bar
// chart, the table with every figure, CSV and XLSX; and the contract of one ente with its history
// (/backoffice/assistenza/interventi/ore/{ente}).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../../platform/auth/index.js';
import { todayInRome } from '../../../../platform/calendar/index.js';
import type { App } from '../../../../platform/http/app.js';
import type { Platform } from '../../../../platform/platform.js';
import { BarChart } from '../../../../platform/views/chart.js';
import { formatNumber, t } from '../../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../../platform/views/layout.js';
import { sendTableExport, type ExportTable } from '../../../../platform/views/table-export.js';
import type { Ente } from '../../../../platform/tenancy/index.js';
import { balancesAcrossEnti, contractHistory, enteBalance, setContract, type EnteHours } from '../hours.js';
import { hoursText, parseHours } from '../time.js';
import { ErrorAlert, HoursSummary, OnsiteLayout, Outcome, deskPath, findEnte, formatDateTime, isFormProblem, sendPage } from './common.js';
import { deskOrLogin } from './desk.js';

const YearQuery = Type.Object({ anno: Type.Optional(Type.String({ maxLength: 4 })), esito: Type.Optional(Type.String({ maxLength: 40 })) });
const yearOf = (value: string | undefined) => (value && /^\d{4}$/.test(value) && Number(value) >= 2000 ? Number(value) : Number(todayInRome().slice(0, 4)));
const percent = (share: number | null) => (share === null ? '—' : `${formatNumber(Math.round(share * 100))}%`);

/** The overview as an export table: hours as decimal numbers (so the sheet sums them) and h:mm as text beside. */
export function hoursTable(year: number, rows: EnteHours[]): ExportTable {
  const h = (minutes: number | null) => (minutes === null ? null : Math.round((minutes / 60) * 100) / 100);
  return {
    sheet: t('onsite.hours.sheet', { year }),
    columns: [
      { header: t('onsite.col.ente'), width: 36 },
      { header: 'Ore a contratto', kind: 'number' },
      { header: 'Ore confermate', kind: 'number' },
      { header: 'Ore residue', kind: 'number' },
      { header: 'Ore fuori contratto', kind: 'number' },
      { header: 'Ore in attesa di conferma', kind: 'number' },
      { header: 'Ore pianificate', kind: 'number' },
      { header: 'Quota usata', kind: 'percent' },
      { header: 'Residue (h:mm)' },
    ],
    rows: rows.map((r) => [r.ente.name, h(r.contractedMinutes), h(r.confirmedMinutes), h(r.remainingMinutes), h(r.extraMinutes), h(r.awaitingMinutes), h(r.plannedMinutes), r.usedShare, hoursText(r.remainingMinutes)]),
  };
}

export function registerHoursPages(app: App, platform: Platform): void {
  app.get(`${deskPath}/ore`, { schema: { hide: true, querystring: YearQuery } }, async (request, reply) => {
    if (!(await deskOrLogin(request, reply, platform))) return reply;
    const year = yearOf(request.query.anno);
    const rows = await balancesAcrossEnti(platform.db.app, actorOf(request), year, 'ore di intervento per ente');
    const withContract = rows.filter((r) => r.usedShare !== null);
    const title = t('onsite.hours.title');
    return sendPage(
      reply,
      <OnsiteLayout request={request} title={title} crumbs={[{ label: t('onsite.crumb.desk'), href: deskPath }]}>
        <h1>{title}</h1>
        <form method="get" action={`${deskPath}/ore`} class="row g-3 align-items-end mb-4">
          <div class="col-sm-3">
            <label for="anno" class="form-label">{t('onsite.hours.year')}</label>
            <input type="number" id="anno" name="anno" class="form-control" min={2000} max={2999} value={String(year)} />
          </div>
          <div class="col-sm-3">
            <button type="submit" class="btn btn-outline-primary">{t('onsite.hours.show')}</button>
          </div>
        </form>
        <p>
          <a class="btn btn-outline-primary btn-sm me-2" href={`${deskPath}/ore.csv?anno=${year}`}>{t('onsite.hours.csv')}</a>
          <a class="btn btn-outline-primary btn-sm" href={`${deskPath}/ore.xlsx?anno=${year}`}>{t('onsite.hours.xlsx')}</a>
        </p>
        {withContract.length === 0 ? (
          <p>{t('onsite.hours.chartNone')}</p>
        ) : (
          <BarChart
            id="grafico-ore"
            title={t('onsite.hours.chart', { year })}
            description={t('onsite.hours.chartDesc')}
            items={withContract.map((r) => ({ label: r.ente.name, value: Math.round((r.usedShare ?? 0) * 100) }))}
            format={(v) => `${formatNumber(v)}%`}
            max={Math.max(100, ...withContract.map((r) => Math.round((r.usedShare ?? 0) * 100)))}
            dataTable={false}
          />
        )}
        {rows.length === 0 ? (
          <p>{t('onsite.hours.none')}</p>
        ) : (
          <div class="table-responsive">
            <table class="table table-sm" id="tabella-ore">
              <caption>{t('onsite.hours.table', { year })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('onsite.col.ente')}</th>
                  <th scope="col" class="text-end">{t('onsite.col.contracted')}</th>
                  <th scope="col" class="text-end">{t('onsite.col.confirmed')}</th>
                  <th scope="col" class="text-end">{t('onsite.col.remaining')}</th>
                  <th scope="col" class="text-end">{t('onsite.col.extra')}</th>
                  <th scope="col" class="text-end">{t('onsite.col.awaiting')}</th>
                  <th scope="col" class="text-end">{t('onsite.col.planned')}</th>
                  <th scope="col" class="text-end">{t('onsite.col.used')}</th>
                  <th scope="col">{t('onsite.col.level')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <th scope="row">
                      <a href={`${deskPath}/ore/${r.ente.slug}?anno=${year}`}>{r.ente.name}</a>
                    </th>
                    <td class="text-end">{r.contractedMinutes === null ? '—' : hoursText(r.contractedMinutes)}</td>
                    <td class="text-end">{hoursText(r.confirmedMinutes)}</td>
                    <td class="text-end">{hoursText(r.remainingMinutes)}</td>
                    <td class="text-end">{hoursText(r.extraMinutes)}</td>
                    <td class="text-end">{hoursText(r.awaitingMinutes)}</td>
                    <td class="text-end">{hoursText(r.plannedMinutes)}</td>
                    <td class="text-end">{percent(r.usedShare)}</td>
                    <td>{t(`onsite.level.${r.level}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </OnsiteLayout>,
    );
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`${deskPath}/ore.${format}`, { schema: { hide: true, querystring: YearQuery } }, async (request, reply) => {
      if (!(await deskOrLogin(request, reply, platform))) return reply;
      const year = yearOf(request.query.anno);
      const rows = await balancesAcrossEnti(platform.db.app, actorOf(request), year, `ore di intervento per ente (${format})`);
      return sendTableExport(reply, format, `ore-interventi-in-sede-${year}`, hoursTable(year, rows), { title: t('onsite.hours.title') });
    });
  }

  const ContractParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
  async function renderContract(request: FastifyRequest, reply: FastifyReply, ente: Ente, year: number, feedback: { error?: string; values?: Record<string, string> } = {}, status = 200) {
    const [balance, history] = await Promise.all([enteBalance(platform.db.app, ente.id, year), contractHistory(platform.db.app, ente.id)]);
    const title = t('onsite.contract.title', { name: ente.name });
    const v = feedback.values ?? {};
    return sendPage(
      reply,
      <OnsiteLayout request={request} title={title} crumbs={[{ label: t('onsite.crumb.desk'), href: deskPath }, { label: t('onsite.crumb.hours'), href: `${deskPath}/ore?anno=${year}` }]}>
        <h1>{title}</h1>
        <Outcome esito={(request.query as { esito?: string }).esito} />
        <HoursSummary balance={balance} />
        <section aria-labelledby="contratto" class="mb-4">
          <h2 id="contratto" class="h4">{t('onsite.contract.form')}</h2>
          {feedback.error ? <ErrorAlert>{feedback.error}</ErrorAlert> : null}
          <form method="post" action={`${deskPath}/ore/${ente.slug}`} class="row g-3 align-items-end">
            <CsrfField token={csrfToken(request, reply)} />
            <div class="col-md-2">
              <label for="c-anno" class="form-label">{t('onsite.hours.year')}</label>
              <input type="number" id="c-anno" name="anno" class="form-control" min={2000} max={2999} required value={v.anno ?? String(year)} />
            </div>
            <div class="col-md-3">
              <label for="c-ore" class="form-label">{t('onsite.contract.hours')}</label>
              <input type="text" id="c-ore" name="ore" class="form-control" required inputMode="decimal" value={v.ore ?? (balance.contractedMinutes === null ? '' : hoursText(balance.contractedMinutes))} />
            </div>
            <div class="col-md-5">
              <label for="c-nota" class="form-label">{t('onsite.contract.note')}</label>
              <input type="text" id="c-nota" name="nota" class="form-control" maxLength={500} value={v.nota ?? ''} />
            </div>
            <div class="col-md-2">
              <button type="submit" class="btn btn-primary">{t('onsite.contract.submit')}</button>
            </div>
          </form>
        </section>
        <section aria-labelledby="storico-contratti">
          <h2 id="storico-contratti" class="h4">{t('onsite.contract.history')}</h2>
          {history.length === 0 ? (
            <p>{t('onsite.contract.noHistory')}</p>
          ) : (
            <ul>
              {history.map((c) => (
                <li>
                  {t('onsite.contract.change', { year: c.year, before: c.beforeMinutes === null ? '—' : hoursText(c.beforeMinutes), after: hoursText(c.afterMinutes) })}
                  {c.note ? ` (${c.note})` : ''} – {t('onsite.contract.by', { who: c.changedBy, at: formatDateTime(c.changedAt) })}
                </li>
              ))}
            </ul>
          )}
        </section>
      </OnsiteLayout>,
      status,
    );
  }

  app.get(`${deskPath}/ore/:slug`, { schema: { hide: true, params: ContractParams, querystring: YearQuery } }, async (request, reply) => {
    if (!(await deskOrLogin(request, reply, platform))) return reply;
    const ente = await findEnte(platform, request.params.slug);
    return renderContract(request, reply, ente, yearOf(request.query.anno));
  });

  app.post(`${deskPath}/ore/:slug`, { schema: { hide: true, params: ContractParams } }, async (request, reply) => {
    if (!(await deskOrLogin(request, reply, platform))) return reply;
    const ente = await findEnte(platform, request.params.slug);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { anno: String(body.anno ?? '').trim(), ore: String(body.ore ?? '').trim(), nota: String(body.nota ?? '').trim() };
    const year = yearOf(values.anno);
    const minutes = parseHours(values.ore);
    if (minutes === undefined || !/^\d{4}$/.test(values.anno)) return renderContract(request, reply, ente, year, { error: t('onsite.contract.invalid'), values }, 422);
    try {
      await setContract(platform.db.app, actorOf(request), ente.id, year, minutes, values.nota);
    } catch (err) {
      if (!isFormProblem(err)) throw err;
      return renderContract(request, reply, ente, year, { error: err.detail ?? err.title, values }, err.status);
    }
    return reply.redirect(`${deskPath}/ore/${ente.slug}?anno=${year}&esito=contract`, 303);
  });
}
