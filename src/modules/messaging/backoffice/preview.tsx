// The preview before sending: the texts as they go out, recipients per ente and channel, how the SMS is encoded
// and split, the estimated cost, when it goes out (quiet hours), the CAP fields; then confirm (the same fields
// posted again, checked again) or go back to edit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfToken } from '../../../platform/auth/index.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { MessagingLayout, euroCents, formatDateTime, messagesPath } from './common.js';
import type { ComposeContext, Preview, Values } from './input.js';

function Hidden({ values }: { values: Values }) {
  return (
    <>
      {Object.entries(values).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

export function PreviewPage({ request, reply, ctx, values, preview }: { request: FastifyRequest; reply: FastifyReply; ctx: ComposeContext; values: Values; preview: Preview }) {
  const { ente } = ctx;
  const { composed, estimate: est } = preview;
  const { input } = composed;
  const title = t('messaging.bo.preview.title');
  const nameOf = (id: string) => ctx.targetable.find((e) => e.id === id)?.name ?? id;
  const topicLabel = (code: string) => ctx.topics.find((x) => x.code === code)?.label ?? code;
  const csrf = csrfToken(request, reply);
  const base = messagesPath(ente.slug);
  return (
    <MessagingLayout request={request} ente={ente} title={title} crumbs={[{ label: t('messaging.bo.compose.title'), href: `${base}/nuovo` }, { label: title }]}>
      <h1>{title}</h1>
      <p class="lead">{t('messaging.bo.preview.intro')}</p>
      <section aria-labelledby="anteprima-testo" class="mb-4">
        <h2 id="anteprima-testo" class="h4">
          {t('messaging.bo.preview.text')}
        </h2>
        <dl class="row">
          <dt class="col-md-3">{t('messaging.bo.compose.titleField')}</dt>
          <dd class="col-md-9" id="anteprima-titolo">
            {input.title}
            {input.urgent ? <span class="badge bg-danger ms-2">{t('messaging.bo.urgent')}</span> : null}
          </dd>
          <dt class="col-md-3">{t('messaging.bo.compose.body')}</dt>
          <dd class="col-md-9" style="white-space: pre-line">
            {input.body}
          </dd>
          {input.channels.includes('sms') ? (
            <>
              <dt class="col-md-3">{t('messaging.bo.preview.smsText')}</dt>
              <dd class="col-md-9" id="anteprima-sms">
                {composed.smsText}
              </dd>
            </>
          ) : null}
          <dt class="col-md-3">{t('messaging.bo.col.topics')}</dt>
          <dd class="col-md-9">{input.topics.map(topicLabel).join(', ')}</dd>
          <dt class="col-md-3">{t('messaging.bo.preview.channels')}</dt>
          <dd class="col-md-9">{input.channels.map((c) => t(`messaging.bo.channel.${c}`)).join(', ')}</dd>
          <dt class="col-md-3">{t('messaging.bo.preview.when')}</dt>
          <dd class="col-md-9" id="anteprima-quando">
            {preview.quietDelayed ? t('messaging.bo.preview.quiet', { at: formatDateTime(preview.goesOutAt) }) : input.sendAfter ? t('messaging.bo.preview.scheduled', { at: formatDateTime(preview.goesOutAt) }) : input.urgent ? t('messaging.bo.preview.nowUrgent') : t('messaging.bo.preview.now')}
          </dd>
        </dl>
      </section>

      {est.sms ? (
        <section aria-labelledby="anteprima-sms-piano" class="mb-4">
          <h2 id="anteprima-sms-piano" class="h4">
            {t('messaging.bo.preview.smsPlan')}
          </h2>
          <ul id="piano-sms">
            <li>{t('messaging.bo.preview.parts', { parts: est.sms.parts, characters: formatNumber(est.sms.characters), encoding: est.sms.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2', perPart: est.sms.perPart })}</li>
            {preview.ucs2Characters.length > 0 ? <li>{t('messaging.bo.preview.ucs2', { list: preview.ucs2Characters.map((c) => `«${c}»`).join(' ') })}</li> : null}
            {composed.transliteration && composed.transliteration.changes.length > 0 ? <li>{t('messaging.bo.preview.transliterated', { list: composed.transliteration.changes.slice(0, 20).map((c) => `«${c.from}» → «${c.to || '∅'}»`).join(', ') })}</li> : null}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="anteprima-destinatari" class="mb-4">
        <h2 id="anteprima-destinatari" class="h4">
          {t('messaging.bo.preview.recipients')}
        </h2>
        <div class="table-responsive">
          <table class="table" id="destinatari">
            <caption>{t('messaging.bo.preview.recipientsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('messaging.bo.col.ente')}</th>
                <th scope="col" class="text-end">{t('messaging.bo.preview.subscribers')}</th>
                <th scope="col" class="text-end">{t('messaging.bo.channel.appio')}</th>
                <th scope="col" class="text-end">{t('messaging.bo.channel.sms')}</th>
                <th scope="col" class="text-end">{t('messaging.bo.channel.email')}</th>
              </tr>
            </thead>
            <tbody>
              {est.perEnte.map((r) => (
                <tr>
                  <th scope="row">{nameOf(r.enteId)}</th>
                  <td class="text-end">{formatNumber(r.subscribers)}</td>
                  <td class="text-end">{formatNumber(r.appioFirst)}</td>
                  <td class="text-end">{formatNumber(r.sms)}</td>
                  <td class="text-end">{formatNumber(r.email)}</td>
                </tr>
              ))}
            </tbody>
            {est.perEnte.length > 1 ? (
              <tfoot>
                <tr>
                  <th scope="row">{t('messaging.bo.preview.total')}</th>
                  <td class="text-end">{formatNumber(est.totals.subscribers)}</td>
                  <td class="text-end">{formatNumber(est.totals.appioFirst)}</td>
                  <td class="text-end">{formatNumber(est.totals.sms)}</td>
                  <td class="text-end">{formatNumber(est.totals.email)}</td>
                </tr>
              </tfoot>
            ) : null}
          </table>
        </div>
        <p class="small">{t('messaging.bo.preview.appioNote')}</p>
      </section>

      <section aria-labelledby="anteprima-costo" class="mb-4">
        <h2 id="anteprima-costo" class="h4">
          {t('messaging.bo.preview.cost')}
        </h2>
        <p id="costo">
          {est.cost.centsMin === est.cost.centsMax
            ? t('messaging.bo.preview.costExact', { cost: euroCents(est.cost.centsMax), parts: formatNumber(est.cost.partsMax) })
            : t('messaging.bo.preview.costRange', { min: euroCents(est.cost.centsMin), max: euroCents(est.cost.centsMax), parts: formatNumber(est.cost.partsMax) })}
        </p>
      </section>

      {input.cap ? (
        <section aria-labelledby="anteprima-cap" class="mb-4">
          <h2 id="anteprima-cap" class="h4">
            {t('messaging.bo.compose.section.cap')}
          </h2>
          <dl class="row" id="cap">
            <dt class="col-md-3">{t('messaging.bo.cap.event')}</dt>
            <dd class="col-md-9">{input.cap.event}</dd>
            <dt class="col-md-3">{t('messaging.bo.cap.category')}</dt>
            <dd class="col-md-9">{t(`messaging.bo.cap.value.${input.cap.category}`)}</dd>
            <dt class="col-md-3">{t('messaging.bo.cap.urgency')}</dt>
            <dd class="col-md-9">{t(`messaging.bo.cap.value.${input.cap.urgency}`)}</dd>
            <dt class="col-md-3">{t('messaging.bo.cap.severity')}</dt>
            <dd class="col-md-9">{t(`messaging.bo.cap.value.${input.cap.severity}`)}</dd>
            <dt class="col-md-3">{t('messaging.bo.cap.certainty')}</dt>
            <dd class="col-md-9">{t(`messaging.bo.cap.value.${input.cap.certainty}`)}</dd>
            <dt class="col-md-3">{t('messaging.bo.cap.area')}</dt>
            <dd class="col-md-9">{input.cap.areaDesc}</dd>
            {input.cap.expires ? (
              <>
                <dt class="col-md-3">{t('messaging.bo.cap.expires')}</dt>
                <dd class="col-md-9">{formatDateTime(input.cap.expires)}</dd>
              </>
            ) : null}
          </dl>
        </section>
      ) : null}

      <div class="d-flex flex-wrap gap-3 mb-5">
        <form method="post" action={base}>
          <CsrfField token={csrf} />
          <Hidden values={values} />
          <button type="submit" class="btn btn-primary" id="conferma">
            {t('messaging.bo.preview.confirm', { n: formatNumber(est.totals.subscribers) })}
          </button>
        </form>
        <form method="post" action={`${base}/nuovo`}>
          <CsrfField token={csrf} />
          <Hidden values={values} />
          <button type="submit" class="btn btn-outline-primary">
            {t('messaging.bo.preview.edit')}
          </button>
        </form>
      </div>
    </MessagingLayout>
  );
}
