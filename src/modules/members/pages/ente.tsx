// Back-office page of one ente (/backoffice/enti/{slug}): its services (activate / deactivate), its adhesion
// history with the CST's forms to record an adhesion or a withdrawal, and its memberships (join / leave).
// Every write goes through the service layer, which enforces the rules and audits; a refused write re-renders
// the page with the Italian message and the user's input.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, can, csrfToken, requirePermission, type StaffPrincipal } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { HttpProblem, notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { t } from '../../../platform/views/i18n/index.js';
import { getEnteBySlug, listEnti, membershipsOf, todayInRome, type Ente, type EnteKind } from '../../../platform/tenancy/index.js';
import { joinParent, leaveParent } from '../../../platform/tenancy/memberships.js';
import {
  activateService,
  adhesionHistory,
  deactivateService,
  networkOn,
  recordAdhesion,
  recordWithdrawal,
  serviceCatalogue,
  servicesOf,
} from '../service.js';
import { BackofficeLayout } from './backoffice.js';
import { fieldsOf, isIsoDate, sendPage, staffOrLogin } from './common.js';
import { EntePage, type EnteView, type Feedback, type FormName } from './ente-view.js';

/** Kinds of parent an ente of each kind may join (mirrors the rule in tenancy/memberships.ts). */
const parentKinds: Record<EnteKind, EnteKind[]> = {
  comune: ['unione', 'comunita_montana', 'provincia'],
  unione: ['provincia'],
  comunita_montana: ['provincia'],
  provincia: [],
};

async function loadView(platform: Platform, staff: StaffPrincipal, ente: Ente): Promise<EnteView> {
  const { db } = platform;
  const canCst = can(staff, ente.id, 'cst.manage');
  const [network, history, services, catalogue, memberships, parents] = await Promise.all([
    networkOn(db.app),
    adhesionHistory(db.app, ente.id),
    servicesOf(db.app, ente.id),
    serviceCatalogue(db.app),
    membershipsOf(db.app, ente.id),
    canCst
      ? Promise.all(parentKinds[ente.kind].map((kind) => listEnti(db.app, { kind, limit: 200, offset: 0 }).then((p) => p.items))).then((lists) => lists.flat())
      : Promise.resolve([]),
  ]);
  return {
    ente,
    entry: network.entries.find((e) => e.ente.id === ente.id),
    protocol: network.protocol,
    history,
    periods: [...services.current, ...services.past],
    catalogue,
    memberships,
    parents: parents.filter((p) => p.id !== ente.id),
    canManage: can(staff, ente.id, 'members.manage'),
    canCst,
    today: todayInRome(),
  };
}

async function findEnte(platform: Platform, slug: string): Promise<Ente> {
  const ente = /^[a-z0-9-]{1,100}$/.test(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(t('members.portal.notFound', { slug: slug.slice(0, 100) }));
  return ente;
}

async function renderEnte(request: FastifyRequest, reply: FastifyReply, platform: Platform, staff: StaffPrincipal, ente: Ente, feedback: Feedback, status = 200) {
  const view = await loadView(platform, staff, ente);
  const title = t('members.ente.title', { name: ente.name });
  return sendPage(
    reply,
    <BackofficeLayout request={request} title={title} crumbs={[{ label: t('members.bo.title'), href: '/backoffice/' }, { label: ente.name }]}>
      <EntePage view={view} feedback={feedback} csrf={csrfToken(request, reply)} />
    </BackofficeLayout>,
    { status, private: true },
  );
}

const requireDate = (value: string | undefined): string => {
  if (!isIsoDate(value)) throw unprocessable(t('members.form.invalidDate'));
  return value;
};

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });

export function registerEntePages(app: App, platform: Platform) {
  const { db } = platform;

  app.get('/backoffice/enti/:slug', { schema: { hide: true, params: SlugParams, querystring: Type.Object({ esito: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (request, reply) => {
    const staff = staffOrLogin(request, reply);
    if (!staff) return reply;
    const ente = await findEnte(platform, request.params.slug);
    await requirePermission(request, db.app, ente.id, 'ente.read');
    return renderEnte(request, reply, platform, staff, ente, { esito: request.query.esito });
  });

  /** A write from a form: permission, then the service call; refusals re-render the page with the input kept. */
  const formRoute = (suffix: string, permission: string, formOf: (fields: Record<string, string>) => FormName, run: (ente: Ente, fields: Record<string, string>, request: FastifyRequest) => Promise<string>) =>
    app.post(`/backoffice/enti/:slug/${suffix}`, { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
      const staff = staffOrLogin(request, reply);
      if (!staff) return reply;
      const ente = await findEnte(platform, request.params.slug);
      await requirePermission(request, db.app, ente.id, permission);
      const fields = fieldsOf(request.body);
      try {
        const esito = await run(ente, fields, request);
        return reply.redirect(`/backoffice/enti/${ente.slug}?esito=${esito}`, 303);
      } catch (err) {
        if (err instanceof HttpProblem && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403) {
          return renderEnte(request, reply, platform, staff, ente, { error: { form: formOf(fields), message: err.detail ?? err.title, values: fields } }, err.status);
        }
        throw err;
      }
    });

  formRoute('servizi', 'members.manage', () => 'service', async (ente, f, request) => {
    const code = f.code ?? '';
    const date = requireDate(f.date);
    if (f.action === 'activate') {
      await activateService(db.app, actorOf(request), ente.id, code, date);
      return 'servizio-attivato';
    }
    if (f.action === 'deactivate') {
      await deactivateService(db.app, actorOf(request), ente.id, code, date);
      return 'servizio-disattivato';
    }
    throw unprocessable(t('members.form.invalidAction'));
  });

  formRoute('adesione', 'cst.manage', (f) => (f.action === 'withdraw' ? 'withdraw' : 'adhere'), async (ente, f, request) => {
    const date = requireDate(f.date);
    const basis = f.basis || null;
    const note = f.note || null;
    if (f.action === 'adhere') {
      await recordAdhesion(db.app, actorOf(request), ente.id, { date, basis, note });
      return 'adesione-registrata';
    }
    if (f.action === 'withdraw') {
      await recordWithdrawal(db.app, actorOf(request), ente.id, { date, basis, note });
      return 'recesso-registrato';
    }
    throw unprocessable(t('members.form.invalidAction'));
  });

  formRoute('appartenenze', 'cst.manage', (f) => (f.action === 'leave' ? 'leave' : 'join'), async (ente, f, request) => {
    const date = requireDate(f.date);
    const parent = f.parent && /^[a-z0-9-]{1,100}$/.test(f.parent) ? await getEnteBySlug(db.app, f.parent) : undefined;
    if (!parent) throw unprocessable(t('members.form.unknownParent'));
    if (f.action === 'join') {
      await joinParent(db.app, actorOf(request), { enteId: ente.id, parentId: parent.id, validFrom: date, source: f.source || null });
      return 'ingresso-registrato';
    }
    if (f.action === 'leave') {
      await leaveParent(db.app, actorOf(request), { enteId: ente.id, parentId: parent.id, validTo: date });
      return 'uscita-registrata';
    }
    throw unprocessable(t('members.form.invalidAction'));
  });
}
