// The help desk's own menu, on the desk's queue and on an ente's ticket list: every tool of the service one
// click away (queue, calls, visits, guide, reports, quarantined mail).
import { t } from '../../../platform/views/i18n/index.js';

export function DeskNav() {
  const links: [string, string][] = [
    ['/backoffice/assistenza', 'helpdesk.nav.queue'],
    ['/backoffice/assistenza/nuovo', 'helpdesk.nav.intake'],
    ['/backoffice/assistenza/interventi', 'helpdesk.nav.visits'],
    ['/backoffice/assistenza/interventi/ore', 'helpdesk.nav.hours'],
    ['/backoffice/assistenza/guida', 'helpdesk.nav.guide'],
    ['/backoffice/assistenza/report', 'helpdesk.nav.reports'],
    ['/backoffice/assistenza/posta', 'helpdesk.nav.mail'],
  ];
  return <ServiceNav links={links} />;
}

export function EnteNav({ slug }: { slug: string }) {
  const base = `/backoffice/enti/${slug}/assistenza`;
  const links: [string, string][] = [
    [base, 'helpdesk.nav.tickets'],
    [`${base}/interventi`, 'helpdesk.nav.visits'],
    [`${base}/guida`, 'helpdesk.nav.guide'],
    [`${base}/report`, 'helpdesk.nav.reports'],
  ];
  return <ServiceNav links={links} />;
}

function ServiceNav({ links }: { links: [string, string][] }) {
  return (
    <nav aria-label={t('helpdesk.nav.label')} class="mb-4">
      <ul class="list-inline">
        {links.map(([href, key]) => (
          <li class="list-inline-item me-3">
            <a href={href}>{t(key)}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
