// The Italian error page: the same problem the API returns as problem+json, for people.
import type { FastifyRequest } from 'fastify';
import type { HttpProblem } from '../http/problem.js';
import { t } from './i18n/index.js';
import { Layout, renderDocument } from './layout.js';
import { viewerOf } from './viewer.js';

export function renderErrorPage(problem: HttpProblem, request: FastifyRequest): string {
  const key = `error.title.${problem.status}`;
  let title: string;
  try {
    title = t(key);
  } catch {
    title = problem.title;
  }
  const detail = problem.status >= 500 ? t('error.generic') : problem.status === 404 && !problem.detail ? t('error.notFound') : problem.detail;
  return renderDocument(
    <Layout title={title} viewer={viewerOf(request)}>
      <div class="row">
        <div class="col-lg-8">
          <h1 class="h2">{title}</h1>
          <div class="alert alert-danger" role="alert">
            <p class="mb-0">{detail}</p>
          </div>
          <p>
            <a href="/" class="btn btn-outline-primary">
              {t('error.back')}
            </a>
          </p>
        </div>
      </div>
    </Layout>,
  );
}
