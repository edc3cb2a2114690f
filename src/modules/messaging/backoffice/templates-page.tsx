// The templates of an ente (/backoffice/enti/{slug}/messaggi/modelli): the list, each with a link that opens the
// compose form filled with it, and a form to add one (its placeholders must be known ones).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, csrfToken } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { formFieldsOf } from '../../../platform/http/multipart.js';
import type { Platform } from '../../../platform/platform.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { CsrfField } from '../../../platform/views/layout.js';
import { MessagingError, listTopics } from '../service.js';
import type { TopicRow } from '../store.js';
import { ErrorAlert, MessagingLayout, Outcome, guard, messagesPath, refusalOf, sendPage } from './common.js';
import { TextField } from './compose-form.js';
import { checked, type Values } from './input.js';
import { PLACEHOLDERS, createTemplate, listTemplates, type TemplateRow } from './templates.js';

function TemplatesPage({ request, reply, ente, templates, topics, values, error, esito }: { request: FastifyRequest; reply: FastifyReply; ente: Ente; templates: TemplateRow[]; topics: TopicRow[]; values: Values; error?: string | undefined; esito?: string | undefined }) {
  const title = t('messaging.bo.templates.title', { name: ente.name });
  const base = messagesPath(ente.slug);
  const label = (code: string) => topics.find((x) => x.code === code)?.label ?? code;
  return (
    <MessagingLayout request={request} ente={ente} title={title} crumbs={[{ label: t('messaging.bo.templates.crumb') }]}>
      <h1>{title}</h1>
      <Outcome esito={esito} />
      {templates.length === 0 ? (
        <p>{t('messaging.bo.templates.empty')}</p>
      ) : (
        <div class="table-responsive">
          <table class="table align-middle" id="modelli">
            <caption>{t('messaging.bo.templates.caption', { name: ente.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('messaging.bo.templates.name')}</th>
                <th scope="col">{t('messaging.bo.compose.titleField')}</th>
                <th scope="col">{t('messaging.bo.col.topics')}</th>
                <th scope="col">{t('messaging.bo.templates.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {templates.map((tpl) => (
                <tr>
                  <th scope="row">{tpl.name}</th>
                  <td>{tpl.title}</td>
                  <td>{tpl.topics.map(label).join(', ')}</td>
                  <td>
                    <a href={`${base}/nuovo?modello=${tpl.id}`} aria-label={t('messaging.bo.templates.useOf', { name: tpl.name })}>
                      {t('messaging.bo.templates.use')}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="nuovo-modello" class="mt-5">
        <h2 id="nuovo-modello" class="h4">
          {t('messaging.bo.templates.new')}
        </h2>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <p id="modello-segnaposto">{t('messaging.bo.compose.placeholders.help', { list: Object.keys(PLACEHOLDERS).map((n) => `{{${n}}}`).join(', ') })}</p>
        <form method="post" action={`${base}/modelli`} novalidate>
          <CsrfField token={csrfToken(request, reply)} />
          <TextField id="modello-nome" name="nome" label={t('messaging.bo.templates.name')} values={values} maxLength={80} required />
          <TextField id="modello-titolo" name="titolo" label={t('messaging.bo.compose.titleField')} values={values} maxLength={120} required />
          <div class="mb-3">
            <label for="modello-testo" class="form-label">
              {t('messaging.bo.compose.body')}
            </label>
            <textarea id="modello-testo" name="testo" class="form-control" rows={4} aria-describedby="modello-segnaposto">
              {values.testo ?? ''}
            </textarea>
          </div>
          <div class="mb-3">
            <label for="modello-sms" class="form-label">
              {t('messaging.bo.compose.sms')}
            </label>
            <textarea id="modello-sms" name="testo_sms" class="form-control" rows={2}>
              {values.testo_sms ?? ''}
            </textarea>
          </div>
          <fieldset class="mb-3">
            <legend class="h6">{t('messaging.bo.compose.section.topics')}</legend>
            {topics.map((topic) => (
              <div class="form-check">
                <input class="form-check-input" type="checkbox" id={`modello-argomento-${topic.code}`} name={`argomento_${topic.code}`} value="si" checked={checked(values, `argomento_${topic.code}`)} />
                <label class="form-check-label" for={`modello-argomento-${topic.code}`}>
                  {topic.label}
                </label>
              </div>
            ))}
          </fieldset>
          <button type="submit" class="btn btn-primary">
            {t('messaging.bo.templates.save')}
          </button>
        </form>
      </section>
    </MessagingLayout>
  );
}

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }) });

export function registerTemplatePages(app: App, platform: Platform) {
  const db = platform.db.app;
  const render = async (request: FastifyRequest, reply: FastifyReply, ente: Ente, values: Values, error?: string, status = 200, esito?: string) => {
    const { templates, topics } = await withEnte(db, ente.id, async (trx) => ({ templates: await listTemplates(trx), topics: await listTopics(trx, { activeOnly: true }) }));
    return sendPage(reply, <TemplatesPage request={request} reply={reply} ente={ente} templates={templates} topics={topics} values={values} error={error} esito={esito} />, status);
  };

  app.get('/backoffice/enti/:slug/messaggi/modelli', { schema: { hide: true, params: Params, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    return render(request, reply, g.ente, {}, undefined, 200, request.query.esito);
  });

  app.post('/backoffice/enti/:slug/messaggi/modelli', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const values = formFieldsOf(request.body);
    try {
      const topics = Object.keys(values).filter((k) => k.startsWith('argomento_') && values[k] === 'si').map((k) => k.slice('argomento_'.length));
      await withEnte(db, g.ente.id, async (trx) => {
        const known = await listTopics(trx);
        const unknown = topics.find((c) => !known.some((k) => k.code === c));
        if (unknown) throw new MessagingError(`Argomento sconosciuto: ${unknown}`);
        await createTemplate(trx, actorOf(request), g.ente.id, {
          name: values.nome ?? '',
          title: values.titolo ?? '',
          body: values.testo ?? '',
          smsText: values.testo_sms,
          topics,
          urgent: known.some((k) => k.urgent && topics.includes(k.code)),
        });
      });
      return reply.redirect(`${messagesPath(g.ente.slug)}/modelli?esito=modello-creato`, 303);
    } catch (err) {
      const refusal = refusalOf(err);
      return render(request, reply, g.ente, values, refusal.message, refusal.status);
    }
  });
}
