// Routes of the citizen area, on the portal of each ente:
//   GET  /{slug}/pagamenti                     catalogue; SPID/CIE login; signed in: "I miei pagamenti" (all enti)
//   GET  /{slug}/pagamenti/posizioni/{id}      one position of this ente whose debtor is the citizen (else 404)
//   GET  /{slug}/pagamenti/nuovo?servizio=...  form of a spontaneous payment (signed-in citizens)
//   POST /{slug}/pagamenti/nuovo               creates the position (once per form) and shows it
// The notice PDF (payments/notices) and the receipt PDF (payments/node) live at the addresses in pages.tsx.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { Type } from 'typebox';
import { csrfToken, type CitizenIdentity } from '../../../platform/auth/index.js';
import { addDays, todayInRome } from '../../../platform/calendar/index.js';
import type { App } from '../../../platform/http/app.js';
import { HttpProblem, notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug, reservedSlugs, type Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { renderDocument } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { checkoutHref } from './checkout.js';
import { NewPaymentPage } from './form.js';
import { PaymentsPage, PositionPage, loginPath, paymentsPath, positionPath, type Outcome, type PayLinks } from './pages.js';
import {
  SPONTANEOUS_DAYS,
  SpontaneousInvalid,
  catalogue,
  citizenName,
  createSpontaneous,
  myPayments,
  myPosition,
  spontaneousItem,
  type CitizenPosition,
  type FieldErrors,
} from './service.js';
import type { CatalogueItem } from './store.js';

const SLUG = /^[a-z0-9-]{1,100}$/;
const NOTICE_NUMBER = /^3[0-9]{17}$/;
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });

async function portalEnte(platform: Platform, slug: string): Promise<Ente> {
  const ente = SLUG.test(slug) && !reservedSlugs.has(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(t('payments.citizen.enteNotFound', { slug: slug.slice(0, 100) }));
  return ente;
}

/** Personal pages are never cached (shared computers, proxies). */
function sendPage(reply: FastifyReply, node: VNode, options: { status?: number; personal?: boolean } = {}) {
  reply.status(options.status ?? 200).type('text/html; charset=utf-8');
  if (options.personal) reply.header('cache-control', 'no-store');
  return reply.send(renderDocument(node));
}

/** The signed-in citizen, or a redirect to the SPID/CIE login that comes back to this address. */
function citizenOrLogin(request: FastifyRequest, reply: FastifyReply): CitizenIdentity | null {
  if (request.citizen) return request.citizen;
  void reply.redirect(loginPath(request.url), 303);
  return null;
}

/** The checkout address of every option offered now, each coming back to `returnPath` with its notice number. */
function payLinks(platform: Platform, positions: CitizenPosition[], returnPath: string): PayLinks {
  const links: PayLinks = new Map();
  for (const p of positions) {
    for (const o of p.options) {
      if (!o.offered) continue;
      const href = checkoutHref(platform, p.ente.fiscalCode, o.noticeNumber, `${returnPath}?pagamento=${o.noticeNumber}`);
      if (href) links.set(o.id, href);
    }
  }
  return links;
}

/**
 * Back from the checkout (?pagamento=<notice>&esito=OK|KO): the records decide whether it is paid (the receipt
 * may arrive after the citizen); the checkout's KO only says that it was not completed.
 */
function outcomeOf(positions: CitizenPosition[], noticeNumber: string | undefined, esito: string | undefined): Outcome | null {
  if (!noticeNumber || !NOTICE_NUMBER.test(noticeNumber)) return null;
  const option = positions.flatMap((p) => p.options).find((o) => o.noticeNumber === noticeNumber);
  if (!option) return null;
  if (option.status === 'paid') return { kind: 'paid', noticeNumber };
  return { kind: esito === 'KO' ? 'failed' : 'pending', noticeNumber };
}

const OutcomeQuery = Type.Object({
  pagamento: Type.Optional(Type.String({ maxLength: 40 })),
  esito: Type.Optional(Type.String({ maxLength: 40 })),
  codice: Type.Optional(Type.String({ maxLength: 100 })),
});

function fieldsOf(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === 'string') out[key] = value;
      else if (Array.isArray(value) && typeof value[0] === 'string') out[key] = value[0];
    }
  }
  return out;
}

export function registerCitizenPages(app: App, platform: Platform): void {
  const { db } = platform;

  app.get(
    '/:slug/pagamenti',
    { schema: { hide: true, params: SlugParams, querystring: OutcomeQuery } },
    async (request, reply) => {
      const ente = await portalEnte(platform, request.params.slug);
      const { configured, services } = await catalogue(db.app, ente.id);
      const citizen = request.citizen;
      const groups = citizen ? await myPayments(db.app, citizen, request.ip) : [];
      const positions = groups.flatMap((g) => g.positions);
      const page = (
        <PaymentsPage
          ente={ente}
          viewer={viewerOf(request)}
          configured={configured}
          services={services}
          mine={citizen ? { name: citizenName(citizen), fiscalCode: citizen.fiscalCode, groups } : null}
          staff={Boolean(request.staff)}
          pay={payLinks(platform, positions, paymentsPath(ente.slug))}
          outcome={outcomeOf(positions, request.query.pagamento, request.query.esito)}
        />
      );
      return sendPage(reply, page, { personal: Boolean(citizen) });
    },
  );

  app.get(
    '/:slug/pagamenti/posizioni/:id',
    {
      schema: {
        hide: true,
        params: Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 100 }) }),
        querystring: OutcomeQuery,
      },
    },
    async (request, reply) => {
      const ente = await portalEnte(platform, request.params.slug);
      const citizen = citizenOrLogin(request, reply);
      if (!citizen) return reply;
      const position = await myPosition(db.app, ente.id, citizen, request.params.id);
      if (!position) throw notFound(t('payments.citizen.position.notFound'));
      const here = positionPath(ente.slug, position.id);
      const outcome = request.query.esito === 'creata' ? ({ kind: 'created' } as const) : outcomeOf([position], request.query.pagamento, request.query.esito);
      const pay = payLinks(platform, [position], here);
      return sendPage(reply, <PositionPage ente={ente} viewer={viewerOf(request)} position={position} pay={pay} outcome={outcome} />, { personal: true });
    },
  );

  const renderForm = (request: FastifyRequest, reply: FastifyReply, ente: Ente, citizen: CitizenIdentity, item: CatalogueItem, values: { amount: string; reason: string; key: string }, errors: FieldErrors = {}, status = 200) =>
    sendPage(
      reply,
      <NewPaymentPage
        ente={ente}
        viewer={viewerOf(request)}
        item={item}
        citizenName={citizenName(citizen)}
        due={addDays(todayInRome(), SPONTANEOUS_DAYS)}
        csrf={csrfToken(request, reply)}
        values={values}
        errors={errors}
      />,
      { status, personal: true },
    );

  app.get(
    '/:slug/pagamenti/nuovo',
    { schema: { hide: true, params: SlugParams, querystring: Type.Object({ servizio: Type.Optional(Type.String({ maxLength: 60 })) }) } },
    async (request, reply) => {
      const ente = await portalEnte(platform, request.params.slug);
      const citizen = citizenOrLogin(request, reply);
      if (!citizen) return reply;
      const item = spontaneousItem((await catalogue(db.app, ente.id)).services, request.query.servizio, ente.name);
      return renderForm(request, reply, ente, citizen, item, { amount: '', reason: item.name, key: randomUUID() });
    },
  );

  app.post('/:slug/pagamenti/nuovo', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const ente = await portalEnte(platform, request.params.slug);
    const citizen = citizenOrLogin(request, reply);
    if (!citizen) return reply;
    const fields = fieldsOf(request.body);
    const item = spontaneousItem((await catalogue(db.app, ente.id)).services, fields.servizio, ente.name);
    const values = { amount: (fields.importo ?? '').slice(0, 40), reason: (fields.causale ?? '').slice(0, 500), key: (fields.chiave ?? '').slice(0, 40) };
    try {
      const { position } = await createSpontaneous(db.app, citizen, request.ip, ente.id, item, values);
      return reply.redirect(`${positionPath(ente.slug, position.id)}?esito=creata`, 303);
    } catch (err) {
      if (err instanceof SpontaneousInvalid) {
        // A broken form key cannot be fixed by the citizen: a fresh one comes with the re-rendered form.
        const key = err.fields.form ? randomUUID() : values.key;
        return renderForm(request, reply, ente, citizen, item, { ...values, key }, err.fields, 422);
      }
      if (err instanceof HttpProblem && err.status === 422) return renderForm(request, reply, ente, citizen, item, values, { form: err.detail ?? err.title }, 422);
      throw err;
    }
  });
}
