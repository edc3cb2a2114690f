// Public pages of the network: the CST home (every ente, grouped by union / comunità montana, with a search)
// and the portal of one ente (/{slug}/).
import { Type } from 'typebox';
import type { App } from '../../../platform/http/app.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { formatDate, formatNumber, t } from '../../../platform/views/i18n/index.js';
import { Layout, type Viewer } from '../../../platform/views/layout.js';
import { viewerOf } from '../../../platform/views/viewer.js';
import { getEnteBySlug, getEnteById, isCurrent, membersOf, membershipsOf, reservedSlugs, type Ente, type Membership } from '../../../platform/tenancy/index.js';
import { adhesionOf, currentProtocol, networkOn, serviceCatalogue, servicesOf, type NetworkEntry } from '../service.js';
import type { Protocol, ServicePeriod } from '../store.js';
import { tn } from '../messages.js';
import { CoatOfArms, StatusBadge, matchesText, sendPage } from './common.js';

const SLUG = /^[a-z0-9-]{1,100}$/;
const groupKinds = new Set(['unione', 'comunita_montana']);

interface Group {
  id: string;
  title: string;
  head?: NetworkEntry;
  entries: NetworkEntry[];
}

/** The network grouped: provincia and associations first, then each association's members, then the rest. */
export function groupNetwork(entries: NetworkEntry[], q?: string): Group[] {
  const matches = (e: NetworkEntry) => matchesText(q, e.ente.name, e.ente.slug, e.ente.istatCode, e.ente.ipaCode);
  const bodies = entries.filter((e) => e.ente.kind !== 'comune');
  const associations = bodies.filter((e) => groupKinds.has(e.ente.kind));
  const groups: Group[] = [{ id: 'gruppo-enti', title: t('members.home.group.bodies'), entries: bodies.filter(matches) }];
  for (const association of associations) {
    groups.push({
      id: `gruppo-${association.ente.slug}`,
      title: association.ente.name,
      head: association,
      entries: entries.filter((e) => e.ente.kind === 'comune' && e.associations.some((a) => a.id === association.ente.id) && matches(e)),
    });
  }
  groups.push({
    id: 'gruppo-non-associati',
    title: t('members.home.group.unaffiliated'),
    entries: entries.filter((e) => e.ente.kind === 'comune' && e.associations.length === 0 && matches(e)),
  });
  return groups.filter((g) => g.entries.length > 0);
}

function EnteRow({ entry }: { entry: NetworkEntry }) {
  return (
    <li class="d-flex flex-wrap align-items-center gap-2 py-2 border-bottom">
      <a href={`/${entry.ente.slug}/`} class="fw-semibold">
        {entry.ente.name}
      </a>
      <span class="small">{t(`kind.${entry.ente.kind}`)}</span>
      <StatusBadge status={entry.adhesion.status} />
      {entry.via ? <span class="small">{t('members.adhesion.via', { name: entry.via.name })}</span> : null}
    </li>
  );
}

function HomePage({ entries, q, viewer }: { entries: NetworkEntry[]; q: string | undefined; viewer: Viewer | null }) {
  const groups = groupNetwork(entries, q);
  const found = new Set(groups.flatMap((g) => g.entries.map((e) => e.ente.id))).size;
  return (
    <Layout title={t('members.home.title')} viewer={viewer}>
      <h1>{t('members.home.title')}</h1>
      <p class="lead">{t('members.home.intro')}</p>
      <section aria-labelledby="cerca-titolo" class="my-4">
        <h2 id="cerca-titolo" class="h4">
          {t('members.home.search.title')}
        </h2>
        <form method="get" action="/" role="search" class="row g-2 align-items-end">
          <div class="col-md-6">
            <label for="q" class="form-label">
              {t('members.home.search.label')}
            </label>
            <input type="search" id="q" name="q" class="form-control" value={q ?? ''} maxLength={100} autocomplete="off" />
          </div>
          <div class="col-auto">
            <button type="submit" class="btn btn-primary">
              {t('members.home.search.submit')}
            </button>
          </div>
          {q ? (
            <div class="col-auto">
              <a href="/" class="btn btn-outline-primary">
                {t('members.home.search.reset')}
              </a>
            </div>
          ) : null}
        </form>
        <p class="mt-3 mb-0" role="status">
          {q ? (found === 0 ? t('members.home.noResults', { q }) : tn('members.home.results', found, { q })) : t('members.home.total', { count: formatNumber(entries.length) })}
        </p>
      </section>
      {groups.length > 1 ? (
        <nav aria-label={t('members.home.groupsNav')} class="mb-4">
          <ul class="list-inline">
            {groups.map((g) => (
              <li class="list-inline-item my-1">
                <a href={`#${g.id}`}>{g.title}</a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {groups.map((g) => (
        <section aria-labelledby={g.id} class="mb-5">
          <h2 id={g.id} class="h3">
            {g.title}
          </h2>
          {g.head ? (
            <p class="d-flex flex-wrap align-items-center gap-2">
              <span>{t(`kind.${g.head.ente.kind}`)}</span>
              <StatusBadge status={g.head.adhesion.status} />
              <a href={`/${g.head.ente.slug}/`}>{t('members.home.group.portal')}</a>
            </p>
          ) : null}
          <p class="small mb-1">{tn('members.home.group.count', g.entries.length)}</p>
          <ul class="list-unstyled">
            {g.entries.map((entry) => (
              <EnteRow entry={entry} />
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}

const period = (m: { validFrom: string; validTo: string | null }) =>
  m.validTo ? t('members.portal.period.closed', { from: formatDate(m.validFrom), to: formatDate(m.validTo) }) : t('members.portal.period.open', { from: formatDate(m.validFrom) });

function MembershipItem({ m }: { m: Membership }) {
  return (
    <li>
      <a href={`/${m.parent.slug}/`}>{m.parent.name}</a> <span class="small">({t(`kind.${m.parent.kind}`)})</span> · {period(m)}
    </li>
  );
}

interface PortalData {
  viewer: Viewer | null;
  ente: Ente;
  entry: NetworkEntry | undefined;
  protocol: Protocol;
  memberships: Membership[];
  members: Ente[] | null;
  seat: Ente | undefined;
  services: { current: ServicePeriod[]; past: ServicePeriod[] };
  descriptions: Map<string, string>;
}

function PortalPage({ viewer, ente, entry, protocol, memberships, members, seat, services, descriptions }: PortalData) {
  const current = memberships.filter((m) => isCurrent(m));
  const past = memberships.filter((m) => !isCurrent(m));
  const kind = t(`kind.${ente.kind}`);
  const missing = <span class="fst-italic">{t('members.portal.missing')}</span>;
  return (
    <Layout
      title={ente.name}
      viewer={viewer}
      brand={{ name: ente.name, subtitle: kind, href: `/${ente.slug}/` }}
      breadcrumbs={[{ label: t('app.name'), href: '/' }, { label: ente.name }]}
    >
      <div class="d-flex align-items-center gap-3 mb-4">
        <CoatOfArms name={ente.name} />
        <div>
          <h1 class="mb-1">{ente.name}</h1>
          <p class="mb-0 d-flex flex-wrap align-items-center gap-2">
            <span>{kind}</span>
            {entry ? <StatusBadge status={entry.adhesion.status} /> : null}
          </p>
        </div>
      </div>

      <div class="row">
        <div class="col-lg-8">
          <section aria-labelledby="servizi" class="mb-5">
            <h2 id="servizi">{t('members.portal.services')}</h2>
            {services.current.length === 0 ? <p>{t('members.portal.services.none')}</p> : null}
            <div class="row">
              {services.current.map((s) => (
                <div class="col-md-6 mb-3">
                  <div class="card card-bg h-100 border">
                    <div class="card-body">
                      <h3 class="card-title h5">{s.publicPath ? <a href={`/${ente.slug}/${s.publicPath}`}>{s.name}</a> : s.name}</h3>
                      {descriptions.get(s.code) ? <p class="card-text">{descriptions.get(s.code)}</p> : null}
                      <p class="card-text small mb-0">
                        {s.activeTo ? t('members.portal.service.until', { date: formatDate(s.activeTo) }) : t('members.portal.service.since', { date: formatDate(s.activeFrom) })}
                      </p>
                    </div>
                  </div>
                </div>
              ))}
            </div>
            {services.past.length > 0 ? (
              <details class="mt-2">
                <summary>{t('members.portal.services.past', { count: services.past.length })}</summary>
                <ul class="mt-2">
                  {services.past.map((s) => (
                    <li>
                      {s.name} · {period({ validFrom: s.activeFrom, validTo: s.activeTo })}
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
          </section>

          <section aria-labelledby="adesione" class="mb-5">
            <h2 id="adesione">{t('members.portal.adhesion')}</h2>
            {entry ? (
              <p class="d-flex flex-wrap align-items-center gap-2">
                <span>{t('members.portal.adhesion.status')}</span>
                <StatusBadge status={entry.adhesion.status} />
                {entry.adhesion.since ? <span>{t('members.adhesion.since', { date: formatDate(entry.adhesion.since) })}</span> : null}
                {entry.via ? (
                  <span>
                    {t('members.adhesion.viaLabel')} <a href={`/${entry.via.slug}/`}>{entry.via.name}</a>
                  </span>
                ) : null}
                {entry.adhesion.status === 'pending' && entry.adhesion.deadline ? <span>({t('members.adhesion.deadline', { date: formatDate(entry.adhesion.deadline) })})</span> : null}
              </p>
            ) : null}
            <p>{t('members.portal.adhesion.protocol', { title: protocol.title, date: formatDate(protocol.signedOn) })}</p>
          </section>

          {members ? (
            <section aria-labelledby="membri" class="mb-5">
              <h2 id="membri">{t('members.portal.members')}</h2>
              {seat ? (
                <p>
                  {t('members.portal.seat')} <a href={`/${seat.slug}/`}>{seat.name}</a>
                </p>
              ) : null}
              {members.length === 0 ? (
                <p>{t('members.portal.members.none')}</p>
              ) : (
                <ul class="row list-unstyled">
                  {members.map((m) => (
                    <li class="col-sm-6 col-md-4 py-1">
                      <a href={`/${m.slug}/`}>{m.name}</a>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ) : null}
        </div>

        <div class="col-lg-4">
          <section aria-labelledby="codici" class="mb-5">
            <h2 id="codici" class="h4">
              {t('members.portal.codes')}
            </h2>
            <dl>
              <dt>{t('members.portal.istat')}</dt>
              <dd>{ente.istatCode ?? missing}</dd>
              <dt>{t('members.portal.fiscal')}</dt>
              <dd>{ente.fiscalCode ?? missing}</dd>
              <dt>{t('members.portal.ipa')}</dt>
              <dd>{ente.ipaCode ?? missing}</dd>
            </dl>
          </section>
          <section aria-labelledby="appartenenze" class="mb-5">
            <h2 id="appartenenze" class="h4">
              {t('members.portal.memberships')}
            </h2>
            {current.length === 0 ? (
              <p>{t('members.portal.memberships.none')}</p>
            ) : (
              <ul>
                {current.map((m) => (
                  <MembershipItem m={m} />
                ))}
              </ul>
            )}
            {past.length > 0 ? (
              <details>
                <summary>{t('members.portal.memberships.past', { count: past.length })}</summary>
                <ul class="mt-2">
                  {past.map((m) => (
                    <MembershipItem m={m} />
                  ))}
                </ul>
              </details>
            ) : null}
          </section>
          <p>
            <a href={`/backoffice/enti/${ente.slug}`}>{t('members.portal.staff')}</a>
          </p>
        </div>
      </div>
    </Layout>
  );
}

async function findEnte(platform: Platform, slug: string): Promise<Ente> {
  const ente = SLUG.test(slug) && !reservedSlugs.has(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(t('members.portal.notFound', { slug: slug.slice(0, 100) }));
  return ente;
}

export function registerPublicPages(app: App, platform: Platform) {
  const { db } = platform;

  app.get(
    '/',
    { schema: { hide: true, querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }) } },
    async (request, reply) => {
      const q = request.query.q?.trim() || undefined;
      const { entries } = await networkOn(db.app);
      return sendPage(reply, <HomePage entries={entries} q={q} viewer={viewerOf(request)} />);
    },
  );

  // /{slug} → /{slug}/ (only for enti that exist: anything else is a plain 404). Static routes (/healthz,
  // /metrics, /api/…, /backoffice/…) are matched before this parametric one by the router.
  app.get('/:slug', { schema: { hide: true, params: Type.Object({ slug: Type.String() }) } }, async (request, reply) => {
    const ente = await findEnte(platform, request.params.slug);
    return reply.redirect(`/${ente.slug}/`, 301);
  });

  app.get('/:slug/', { schema: { hide: true, params: Type.Object({ slug: Type.String() }) } }, async (request, reply) => {
    const ente = await findEnte(platform, request.params.slug);
    const grouping = ente.kind === 'unione' || ente.kind === 'comunita_montana';
    const [entry, protocol, memberships, services, catalogue, members, seat] = await Promise.all([
      adhesionOf(db.app, ente.id),
      currentProtocol(db.app),
      membershipsOf(db.app, ente.id),
      servicesOf(db.app, ente.id),
      serviceCatalogue(db.app),
      grouping ? membersOf(db.app, ente.id) : Promise.resolve(null),
      ente.seatEnteId ? getEnteById(db.app, ente.seatEnteId) : Promise.resolve(undefined),
    ]);
    return sendPage(
      reply,
      <PortalPage
        viewer={viewerOf(request)}
        ente={ente}
        entry={entry}
        protocol={protocol}
        memberships={memberships}
        members={members}
        seat={seat}
        services={services}
        descriptions={new Map(catalogue.map((c) => [c.code, c.description]))}
      />,
    );
  });
}
