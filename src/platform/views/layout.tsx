// Page layout in Bootstrap Italia: slim header, centre header with the ente's name, main, footer.
// Server-rendered; every page works without JavaScript (the bundle only adds progressive behaviour).
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { t, type Locale } from './i18n/index.js';
import './i18n/platform.js';

export interface Viewer {
  kind: 'staff' | 'citizen';
  name: string;
  /** CSRF token of the session, for the logout form in the header. */
  csrf: string;
}

export interface LayoutProps {
  title: string;
  /** Heading shown in the centre header (the ente on its portal; the platform elsewhere). */
  brand?: { name: string; subtitle?: string; href: string };
  viewer?: Viewer | null;
  breadcrumbs?: { label: string; href?: string }[];
  locale?: Locale;
  /** Extra elements for <head> (e.g. a feed's <link rel="alternate">). */
  head?: ComponentChildren;
  children: ComponentChildren;
}

export function Layout({ title, brand, viewer, breadcrumbs, locale = 'it', head, children }: LayoutProps) {
  const home = brand ?? { name: t('app.name', {}, locale), subtitle: t('app.tagline', {}, locale), href: '/' };
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t('app.name', {}, locale)}`}</title>
        <link rel="stylesheet" href="/assets/bootstrap-italia/css/bootstrap-italia.min.css" />
        <link rel="stylesheet" href="/assets/platform/fonts.css" />
        {head}
      </head>
      <body>
        <a class="visually-hidden-focusable" href="#main">
          {t('layout.skip', {}, locale)}
        </a>
        <header class="it-header-wrapper">
          <div class="it-header-slim-wrapper">
            <div class="container">
              <div class="row">
                <div class="col-12">
                  <div class="it-header-slim-wrapper-content">
                    <a class="d-lg-block navbar-brand" href="/">
                      {t('app.name', {}, locale)} · {t('app.tagline', {}, locale)}
                    </a>
                    <div class="it-header-slim-right-zone">
                      {viewer ? (
                        <form method="post" action={viewer.kind === 'staff' ? '/backoffice/logout' : '/auth/citizen/logout'} class="d-flex align-items-center">
                          <input type="hidden" name="_csrf" value={viewer.csrf} />
                          <span class="text-white me-3">{viewer.name}</span>
                          <button type="submit" class="btn btn-primary btn-sm">
                            {t('layout.logout', {}, locale)}
                          </button>
                        </form>
                      ) : (
                        <a class="btn btn-primary btn-sm" href="/backoffice/login">
                          {t('layout.backoffice', {}, locale)}
                        </a>
                      )}
                    </div>
                  </div>
                </div>
              </div>
            </div>
          </div>
          <div class="it-nav-wrapper">
            <div class="it-header-center-wrapper">
              <div class="container">
                <div class="row">
                  <div class="col-12">
                    <div class="it-header-center-content-wrapper">
                      <div class="it-brand-wrapper">
                        <a href={home.href}>
                          <div class="it-brand-text">
                            <div class="it-brand-title">{home.name}</div>
                            {home.subtitle ? <div class="it-brand-tagline d-none d-md-block">{home.subtitle}</div> : null}
                          </div>
                        </a>
                      </div>
                    </div>
                  </div>
                </div>
              </div>
            </div>
          </div>
        </header>
        <main id="main" class="container my-4">
          {breadcrumbs && breadcrumbs.length > 0 ? (
            <nav class="breadcrumb-container" aria-label={t('layout.breadcrumb', {}, locale)}>
              <ol class="breadcrumb">
                {breadcrumbs.map((b, i) => (
                  <li class={`breadcrumb-item${i === breadcrumbs.length - 1 ? ' active' : ''}`} aria-current={i === breadcrumbs.length - 1 ? 'page' : undefined}>
                    {b.href && i < breadcrumbs.length - 1 ? <a href={b.href}>{b.label}</a> : b.label}
                    {i < breadcrumbs.length - 1 ? <span class="separator">/</span> : null}
                  </li>
                ))}
              </ol>
            </nav>
          ) : null}
          {children}
        </main>
        <footer class="it-footer">
          <div class="it-footer-main">
            <div class="container py-4">
              <p class="text-white mb-1">
                <strong>{t('app.name', {}, locale)}</strong> · {t('app.tagline', {}, locale)}
              </p>
              <ul class="list-inline mb-0">
                <li class="list-inline-item">
                  <a class="text-white" href="/">{t('layout.footer.network', {}, locale)}</a>
                </li>
                <li class="list-inline-item">
                  <a class="text-white" href="/api/docs">{t('layout.footer.api', {}, locale)}</a>
                </li>
              </ul>
            </div>
          </div>
        </footer>
        <script src="/assets/bootstrap-italia/js/bootstrap-italia.bundle.min.js" defer></script>
      </body>
    </html>
  );
}

/** Renders a full HTML document. */
export function renderDocument(node: preact.VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}

/** Hidden CSRF field for every form that changes state. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}
