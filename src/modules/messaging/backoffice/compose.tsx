// Compose → preview → confirm (/backoffice/enti/{slug}/messaggi/nuovo, …/anteprima, POST …/messaggi). The
// confirmation checks the posted fields again, then creates the message and sends it; any refusal comes back on
// the form with its Italian message and a 4xx, and nothing is sent.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../../platform/auth/index.js';
import { todayInRome } from '../../../platform/calendar/index.js';
import { romeWallTime } from '../../../platform/calendar/wall-clock.js';
import { withEnte } from '../../../platform/db/index.js';
import type { App } from '../../../platform/http/app.js';
import { formFieldsOf } from '../../../platform/http/multipart.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate } from '../../../platform/views/i18n/index.js';
import { createMessage, sendMessage } from '../service.js';
import { GSM7_CHARACTERS, GSM7_EXTENSION_CHARACTERS } from '../sms/gsm7.js';
import { MULTI_PART_UNITS, SINGLE_PART_UNITS } from '../sms/segments.js';
import { SMS_COUNTER_SCRIPT, UUID, guard, messagePath, refusalOf, sendPage, type Guarded } from './common.js';
import { ComposeForm } from './compose-form.js';
import { composeContext, previewOf, type ComposeContext, type Values } from './input.js';
import { PreviewPage } from './preview.js';
import { getTemplate, listTemplates, type TemplateRow } from './templates.js';

/** The form's starting values: all channels, placeholders prefilled with the ente, today and now. */
export function initialValues(ctx: ComposeContext, template: TemplateRow | undefined, now = new Date()): Values {
  const values: Values = { canale_sms: 'si', canale_email: 'si', canale_appio: 'si', segnaposto_comune: ctx.ente.name, segnaposto_data: formatDate(todayInRome(now)), segnaposto_ora: romeWallTime(now).time };
  if (ctx.targetable.length > 1) for (const e of ctx.targetable.filter((x) => x.id === ctx.ente.id)) values[`destinatario_${e.id}`] = 'si';
  if (template) {
    values.titolo = template.title;
    values.testo = template.body;
    if (template.sms_text) values.testo_sms = template.sms_text;
    for (const code of template.topics) values[`argomento_${code}`] = 'si';
    if (template.urgent) values.urgente = 'si';
    const cap = template.cap;
    if (cap?.category) values.cap_categoria = cap.category;
    if (cap?.event) values.cap_evento = cap.event;
    if (cap?.urgency) values.cap_urgenza = cap.urgency;
    if (cap?.severity) values.cap_gravita = cap.severity;
    if (cap?.certainty) values.cap_certezza = cap.certainty;
  }
  return values;
}

/** The live counter's script: the GSM-7 alphabet comes from the same tables the server encodes with. */
export function smsCounterScript(): string {
  const data = JSON.stringify({ basic: GSM7_CHARACTERS.filter((c) => !GSM7_EXTENSION_CHARACTERS.includes(c)).join(''), ext: GSM7_EXTENSION_CHARACTERS.join(''), single: SINGLE_PART_UNITS, multi: MULTI_PART_UNITS });
  return `// Live SMS length estimate; the preview page computes the exact plan on the server.
(function () {
  var D = ${data};
  function plan(text) {
    var units = 0, gsm = true;
    for (var ch of text) { if (D.basic.indexOf(ch) >= 0) units += 1; else if (D.ext.indexOf(ch) >= 0) units += 2; else { gsm = false; break; } }
    var enc = gsm ? 'gsm7' : 'ucs2';
    if (!gsm) units = text.length;
    var parts = units === 0 ? 0 : units <= D.single[enc] ? 1 : Math.ceil(units / D.multi[enc]);
    return { chars: Array.from(text).length, parts: parts, enc: enc === 'gsm7' ? 'GSM-7' : 'UCS-2' };
  }
  document.querySelectorAll('[data-sms-counter]').forEach(function (field) {
    var out = document.getElementById(field.getAttribute('data-sms-counter'));
    var fallback = document.getElementById(field.getAttribute('data-sms-fallback'));
    if (!out) return;
    function update() {
      var text = field.value || (fallback ? fallback.value : '');
      var p = plan(text.normalize('NFC'));
      out.textContent = out.getAttribute('data-template').replace('{chars}', p.chars).replace('{parts}', p.parts).replace('{encoding}', p.enc);
    }
    field.addEventListener('input', update);
    if (fallback) fallback.addEventListener('input', update);
    update();
  });
})();
`;
}

const Params = Type.Object({ slug: Type.String({ maxLength: 200 }) });

export function registerComposePages(app: App, platform: Platform) {
  const db = platform.db.app;
  const script = smsCounterScript();
  app.get(SMS_COUNTER_SCRIPT, { schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(script));

  const templatesOf = (enteId: string) => withEnte(db, enteId, (trx) => listTemplates(trx));
  const renderForm = async (request: FastifyRequest, reply: FastifyReply, g: Guarded, ctx: ComposeContext, values: Values, error?: string, status = 200, templateId?: string) =>
    sendPage(reply, <ComposeForm request={request} reply={reply} ctx={ctx} values={values} templates={await templatesOf(g.ente.id)} error={error} templateId={templateId} />, status);

  app.get('/backoffice/enti/:slug/messaggi/nuovo', { schema: { hide: true, params: Params, querystring: Type.Object({ modello: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const ctx = await composeContext(db, g.ente);
    const id = request.query.modello;
    const template = id && UUID.test(id) ? await withEnte(db, g.ente.id, (trx) => getTemplate(trx, id)) : undefined;
    return renderForm(request, reply, g, ctx, initialValues(ctx, template), undefined, 200, template?.id);
  });

  // Back from the preview to edit, with the fields as they were.
  app.post('/backoffice/enti/:slug/messaggi/nuovo', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    return renderForm(request, reply, g, await composeContext(db, g.ente), formFieldsOf(request.body));
  });

  app.post('/backoffice/enti/:slug/messaggi/anteprima', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const ctx = await composeContext(db, g.ente);
    const values = formFieldsOf(request.body);
    try {
      const preview = await previewOf(db, actorOf(request), ctx, values);
      return sendPage(reply, <PreviewPage request={request} reply={reply} ctx={ctx} values={values} preview={preview} />);
    } catch (err) {
      const refusal = refusalOf(err);
      return renderForm(request, reply, g, ctx, values, refusal.message, refusal.status);
    }
  });

  app.post('/backoffice/enti/:slug/messaggi', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const g = await guard(request, reply, platform, request.params.slug);
    if (!g) return reply;
    const ctx = await composeContext(db, g.ente);
    const values = formFieldsOf(request.body);
    const actor = actorOf(request);
    try {
      const preview = await previewOf(db, actor, ctx, values);
      const message = await createMessage(db, actor, g.ente.id, preview.composed.input);
      const sent = await sendMessage(db, platform.jobs, actor, g.ente.id, message.id);
      return reply.redirect(`${messagePath(g.ente.slug, message.id)}?esito=${sent.sendAfter.getTime() > Date.now() + 60_000 ? 'programmato' : 'inviato'}`, 303);
    } catch (err) {
      const refusal = refusalOf(err);
      return renderForm(request, reply, g, ctx, values, refusal.message, refusal.status);
    }
  });
}
