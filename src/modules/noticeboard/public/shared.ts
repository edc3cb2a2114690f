// Pieces shared by the public side of the albo (pages, files, feed, JSON API): the addresses, the ente of a
// request, the headers every albo response carries, and the Italian forms of periods, sizes and numbers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { italianDate } from '../../../platform/calendar/index.js';
import { HttpProblem, notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug, reservedSlugs, type Ente } from '../../../platform/tenancy/index.js';
import { formatNumber, t } from '../../../platform/views/i18n/index.js';
import type { NoticeView } from '../service.js';
import '../messages-public.js';

/**
 * The albo is legal publicity, not content to be archived or indexed: once an act's period ends it must leave
 * the web (and search engines' caches) too.
 */
export const ROBOTS = 'noindex, noarchive';

/** Route-level onSend hook: every albo response carries X-Robots-Tag, error pages (404, 410) included. */
export async function alboOnSend(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  reply.header('x-robots-tag', ROBOTS);
  return payload;
}

export const SLUG = /^[a-z0-9-]{1,100}$/;
export const SHA256 = /^[0-9a-f]{64}$/;

export const alboPath = (slug: string) => `/${slug}/albo`;
export const noticePath = (slug: string, id: string) => `/${slug}/albo/${id}`;
export const documentPath = (slug: string, id: string, sha256: string) => `/${slug}/albo/${id}/documenti/${sha256}`;
export const feedPath = (slug: string) => `/${slug}/albo/feed.xml`;

/** The ente of an albo address; an Italian 404 when the slug names no ente. */
export async function alboEnte(platform: Platform, slug: string): Promise<Ente> {
  const ente = SLUG.test(slug) && !reservedSlugs.has(slug) ? await getEnteBySlug(platform.db.app, slug) : undefined;
  if (!ente) throw notFound(t('noticeboard.public.enteNotFound', { slug: slug.slice(0, 100) }));
  return ente;
}

/** 410: the period is over. The act is gone from the web by law (diritto all'oblio), not lost. */
export const goneProblem = () => new HttpProblem(410, 'Contenuto non più disponibile', t('noticeboard.public.gone'));

export const noticeNotFound = () => notFound(t('noticeboard.public.noticeNotFound'));

/** 'n. 12/2026' */
export const registerRef = (n: { register: { label: string } | null }) => (n.register ? t('noticeboard.public.number', { label: n.register.label }) : '');

/** 'dal 01/03/2026 al 15/03/2026' (the effective end: extensions for interruptions included). */
export function periodText(n: Pick<NoticeView, 'publishFrom' | 'effectiveTo'>): string {
  if (!n.publishFrom || !n.effectiveTo) return '';
  return t('noticeboard.public.period', { from: italianDate(n.publishFrom), to: italianDate(n.effectiveTo) });
}

/** '820 byte', '12,3 kB', '1,4 MB' (decimal units, as file managers show them). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${formatNumber(bytes)} byte`;
  const one = (n: number) => new Intl.NumberFormat('it-IT', { maximumFractionDigits: 1 }).format(n);
  if (bytes < 1_000_000) return `${one(bytes / 1000)} kB`;
  return `${one(bytes / 1_000_000)} MB`;
}

export function mediaTypeLabel(mediaType: string): string {
  if (mediaType === 'application/pdf') return t('noticeboard.public.media.pdf');
  if (mediaType === 'application/pkcs7-mime') return t('noticeboard.public.media.p7m');
  return mediaType;
}

export { contentDisposition } from '../../../platform/http/download.js';
