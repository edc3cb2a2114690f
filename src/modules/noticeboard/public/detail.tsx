// The public page of one act while it is online: every public fact of the publication, the annulment stamp,
// the corrections both ways, the extension for interruptions, and the documents with their SHA-256.
import { italianDate } from '../../../platform/calendar/index.js';
import type { Ente } from '../../../platform/tenancy/index.js';
import { t } from '../../../platform/views/i18n/index.js';
import { Layout, type Viewer } from '../../../platform/views/layout.js';
import type { NoticeView } from '../service.js';
import { alboPath, documentPath, feedPath, formatSize, mediaTypeLabel, noticePath, periodText, registerRef } from './shared.js';
import { tp } from '../messages-public.js';

function AnnulmentStamp({ annulment }: { annulment: { on: string; reason: string } }) {
  // Static content: a strong visual and plain text, no live region (role="alert" is for changes, not stamps).
  return (
    <section aria-labelledby="annullamento" class="border border-danger border-4 rounded p-3 mb-4 bg-light">
      <h2 id="annullamento" class="h3 text-danger fw-bold mb-2">
        {t('noticeboard.public.annulled.stamp', { date: italianDate(annulment.on) })}
      </h2>
      <p class="fs-5 mb-2">
        <strong>{t('noticeboard.public.annulled.reason', { reason: annulment.reason })}</strong>
      </p>
      <p class="mb-0">{t('noticeboard.public.annulled.note')}</p>
    </section>
  );
}

function Fact({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <div class="row py-2 border-bottom">
      <dt class="col-md-4">{label}</dt>
      <dd class="col-md-8 mb-0">{children}</dd>
    </div>
  );
}

function Documents({ slug, notice }: { slug: string; notice: NoticeView }) {
  if (notice.documents.length === 0) return <p>{t('noticeboard.public.documents.none')}</p>;
  return (
    <div class="table-responsive">
      <table class="table">
        <caption class="caption-top">{tp('noticeboard.public.documents.caption', notice.documents.length)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('noticeboard.public.documents.document')}</th>
            <th scope="col">{t('noticeboard.public.documents.file')}</th>
            <th scope="col">{t('noticeboard.public.documents.size')}</th>
            <th scope="col">{t('noticeboard.public.documents.sha256')}</th>
          </tr>
        </thead>
        <tbody>
          {notice.documents.map((d) => (
            <tr>
              <th scope="row" class="fw-normal">
                <span class="d-block small">{t(`noticeboard.public.documents.role.${d.role}`)}</span>
                <a href={documentPath(slug, notice.id, d.sha256)} type={d.mediaType}>
                  {d.title}
                </a>
              </th>
              <td class="text-break">
                {d.originalName}
                <span class="d-block small">{mediaTypeLabel(d.mediaType)}</span>
              </td>
              <td class="text-nowrap">{formatSize(d.sizeBytes)}</td>
              <td>
                <code class="font-monospace text-break small" style="word-break:break-all">
                  {d.sha256}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DetailPage({ viewer, ente, notice }: { viewer: Viewer | null; ente: Ente; notice: NoticeView }) {
  const ref = registerRef(notice);
  const alboTitle = t('noticeboard.public.title');
  const missing = <span class="fst-italic">{t('noticeboard.public.detail.missing')}</span>;
  return (
    <Layout
      title={`${t('noticeboard.public.detail.title', { ref })} · ${ente.name}`}
      viewer={viewer}
      brand={{ name: ente.name, subtitle: t(`kind.${ente.kind}`), href: `/${ente.slug}/` }}
      breadcrumbs={[
        { label: t('app.name'), href: '/' },
        { label: ente.name, href: `/${ente.slug}/` },
        { label: alboTitle, href: alboPath(ente.slug) },
        { label: t('noticeboard.public.detail.title', { ref }) },
      ]}
      head={<link rel="alternate" type="application/rss+xml" title={t('noticeboard.public.feed.title', { name: ente.name })} href={feedPath(ente.slug)} />}
    >
      <p class="mb-1">
        {notice.actType.name} · <strong>{ref}</strong>
      </p>
      <h1 class="h2">{notice.subject}</h1>
      {notice.annulment ? <AnnulmentStamp annulment={notice.annulment} /> : null}

      <section aria-labelledby="dati" class="my-4">
        <h2 id="dati" class="h4">
          {t('noticeboard.public.detail.data')}
        </h2>
        <dl class="container-fluid px-0">
          <Fact label={t('noticeboard.public.detail.register')}>{ref}</Fact>
          <Fact label={t('noticeboard.public.detail.type')}>{notice.actType.name}</Fact>
          <Fact label={t('noticeboard.public.detail.subject')}>{notice.subject}</Fact>
          <Fact label={t('noticeboard.public.detail.office')}>{notice.office}</Fact>
          <Fact label={t('noticeboard.public.detail.actNumber')}>{notice.actNumber ?? missing}</Fact>
          <Fact label={t('noticeboard.public.detail.actDate')}>{notice.actDate ? italianDate(notice.actDate) : missing}</Fact>
          {notice.requester ? <Fact label={t('noticeboard.public.detail.requester')}>{notice.requester.name}</Fact> : null}
          <Fact label={t('noticeboard.public.detail.period')}>
            {periodText(notice)} {tp('noticeboard.public.detail.days', notice.days + notice.extensionDays)}
            {notice.extensionDays > 0 && notice.publishTo ? (
              <p class="mb-0 mt-1">
                {tp('noticeboard.public.detail.extended', notice.extensionDays, { original: italianDate(notice.publishTo) })}
              </p>
            ) : null}
          </Fact>
          {notice.corrects ? (
            <Fact label={t('noticeboard.public.detail.corrects')}>
              <a href={noticePath(ente.slug, notice.corrects.id)}>
                {notice.corrects.label ? t('noticeboard.public.number', { label: notice.corrects.label }) : t('noticeboard.public.corrects.unnumbered')}
              </a>
            </Fact>
          ) : null}
          {notice.correctedBy.length > 0 ? (
            <Fact label={t('noticeboard.public.detail.correctedBy')}>
              <ul class="list-unstyled mb-0">
                {notice.correctedBy.map((c) => (
                  <li>
                    <a href={noticePath(ente.slug, c.id)}>{t('noticeboard.public.number', { label: c.label })}</a>
                  </li>
                ))}
              </ul>
            </Fact>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="documenti" class="my-4">
        <h2 id="documenti" class="h4">
          {t('noticeboard.public.documents')}
        </h2>
        <Documents slug={ente.slug} notice={notice} />
        <p class="small">{t('noticeboard.public.documents.sha256.help')}</p>
      </section>

      <p>
        <a href={alboPath(ente.slug)}>{t('noticeboard.public.detail.back')}</a>
      </p>
      <p class="small mt-4">{t('noticeboard.public.legal')}</p>
    </Layout>
  );
}
