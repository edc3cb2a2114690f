// RSS 2.0 feed of an ente's albo, following the AlboPOP conventions ("Specifiche dei feed RSS per AlboPOP",
// albopop.it/specs): channel categories describing the ente, one item per act online today with title = the
// subject, link and guid = the act's page, pubDate = the moment of publication, and item categories in the
// http://albopop.it/specs#item-category-* domains (uid, type, pubStart, pubEnd, relStart, unit, annotation).
//
// Built by hand with strict escaping: every text and attribute goes through xmlText/xmlAttr, which also drop
// the characters XML 1.0 does not allow (a subject pasted from a word processor may carry them).
import { italianDate } from '../../platform/calendar/index.js';
import type { Ente } from '../../platform/tenancy/index.js';
import { t } from '../../platform/views/i18n/index.js';
import type { NoticeView } from './service.js';
import { alboPath, documentPath, feedPath, noticePath, periodText } from './public/shared.js';
import { tp } from './messages-public.js';

/** AlboPOP: "zero o più, fino a 25, in ordine inverso di data e orario di pubblicazione". */
export const FEED_ITEMS = 25;

const SPEC = 'http://albopop.it/specs';

// Characters outside XML 1.0's Char production (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(value: string): string {
  return value.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttr(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const element = (name: string, text: string, attrs: Record<string, string> = {}) => {
  const attributes = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${xmlAttr(v)}"`)
    .join('');
  return `<${name}${attributes}>${xmlText(text)}</${name}>`;
};

const category = (domain: string, value: string) => element('category', value, { domain: `${SPEC}#${domain}` });

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const romeOffset = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' });

/** '+0100' or '+0200': the offset of Europe/Rome at an instant. */
function offsetAt(instant: Date): string {
  const name = romeOffset.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const match = name.match(/GMT([+-])(\d{2}):(\d{2})/);
  return match ? `${match[1]}${match[2]}${match[3]}` : '+0000';
}

/** RFC 822 date-time of an instant (in UTC, as RSS readers expect). */
export const rfc822 = (instant: Date) => instant.toUTCString().replace('GMT', '+0000');

/** RFC 822 date-time of a Rome calendar day at a given wall-clock time ('2026-03-01', '00:00:00'). */
export function rfc822RomeDay(date: string, time: '00:00:00' | '23:59:59'): string {
  const day = new Date(`${date}T12:00:00Z`);
  const offset = offsetAt(new Date(`${date}T${time === '00:00:00' ? '00:00' : '23:59'}:00Z`));
  return `${DAYS[day.getUTCDay()]}, ${date.slice(8, 10)} ${MONTHS[day.getUTCMonth()]} ${date.slice(0, 4)} ${time} ${offset}`;
}

export interface FeedInput {
  /** Absolute base of the platform's public addresses (config.publicUrl). */
  baseUrl: string;
  ente: Ente;
  /** The provincia the ente belongs to (its own name for a provincia), for the AlboPOP channel categories. */
  province: string | null;
  items: NoticeView[];
  now: Date;
}

/** 'Comune di Asti' for a comune; the other kinds' names already say what they are ('Provincia di Asti'). */
export function officialName(ente: Ente): string {
  return ente.kind === 'comune' ? t('noticeboard.public.feed.comuneName', { name: ente.name }) : ente.name;
}

function itemXml(base: string, ente: Ente, n: NoticeView): string {
  const url = `${base}${noticePath(ente.slug, n.id)}`;
  const description = [
    n.annulment ? t('noticeboard.public.feed.annulled', { date: italianDate(n.annulment.on), reason: n.annulment.reason }) : null,
    `${n.actType.name} ${n.register ? t('noticeboard.public.number', { label: n.register.label }) : ''}`.trim() + '.',
    `${t('noticeboard.public.feed.office')}: ${n.office}.`,
    `${t('noticeboard.public.feed.period')} ${periodText(n)}.`,
    n.corrects?.label ? t('noticeboard.public.feed.corrects', { label: n.corrects.label }) : null,
    n.correctedBy.length > 0 ? t('noticeboard.public.feed.correctedBy', { labels: n.correctedBy.map((c) => c.label).join(', ') }) : null,
  ]
    .filter(Boolean)
    .join(' ');
  const annotations = [
    n.annulment ? t('noticeboard.public.feed.annulled', { date: italianDate(n.annulment.on), reason: n.annulment.reason }) : null,
    n.corrects?.label ? t('noticeboard.public.feed.corrects', { label: n.corrects.label }) : null,
    n.correctedBy.length > 0 ? t('noticeboard.public.feed.correctedBy', { labels: n.correctedBy.map((c) => c.label).join(', ') }) : null,
    n.extensionDays > 0 ? tp('noticeboard.public.feed.extended', n.extensionDays) : null,
  ].filter((a): a is string => a !== null);
  const main = n.documents.find((d) => d.role === 'main') ?? n.documents[0];
  const lines = [
    element('title', n.subject),
    element('link', url),
    element('description', description),
    n.publishedAt ? element('pubDate', rfc822(n.publishedAt)) : n.publishFrom ? element('pubDate', rfc822RomeDay(n.publishFrom, '00:00:00')) : '',
    element('guid', url, { isPermaLink: 'true' }),
    n.register ? category('item-category-uid', `${n.register.year}/${n.register.number}`) : '',
    category('item-category-type', n.actType.name),
    n.publishFrom ? category('item-category-pubStart', rfc822RomeDay(n.publishFrom, '00:00:00')) : '',
    n.effectiveTo ? category('item-category-pubEnd', rfc822RomeDay(n.effectiveTo, '23:59:59')) : '',
    n.actDate ? category('item-category-relStart', rfc822RomeDay(n.actDate, '00:00:00')) : '',
    category('item-category-unit', n.office),
    ...annotations.map((a) => category('item-category-annotation', a)),
    main ? `<enclosure url="${xmlAttr(`${base}${documentPath(ente.slug, n.id, main.sha256)}`)}" length="${main.sizeBytes}" type="${xmlAttr(main.mediaType)}"/>` : '',
  ].filter(Boolean);
  return `<item>\n  ${lines.join('\n  ')}\n</item>`;
}

/** The whole RSS document. */
export function renderFeed({ baseUrl, ente, province, items, now }: FeedInput): string {
  const base = baseUrl.replace(/\/$/, '');
  const kind = t(`kind.${ente.kind}`);
  const name = officialName(ente);
  const channel = [
    element('title', `AlboPOP - ${kind} - ${ente.name}`),
    element('link', `${base}${alboPath(ente.slug)}`),
    `<atom:link href="${xmlAttr(`${base}${feedPath(ente.slug)}`)}" rel="self" type="application/rss+xml"/>`,
    element('description', t('noticeboard.public.feed.description', { name })),
    element('language', 'it'),
    element('pubDate', rfc822(now)),
    element('docs', `${SPEC}/`),
    element('copyright', `Copyright ${now.getUTCFullYear()} ${name}`),
    '<xhtml:meta name="robots" content="noindex"/>',
    category('channel-category-country', 'Italia'),
    province ? category('channel-category-province', province) : '',
    ente.kind === 'comune' ? category('channel-category-municipality', ente.name) : '',
    ente.istatCode ? category('channel-category-uid', `istat:${ente.istatCode}`) : '',
    category('channel-category-type', kind),
    category('channel-category-name', name),
  ].filter(Boolean);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    '<channel>',
    ...channel,
    ...items.map((n) => itemXml(base, ente, n)),
    '</channel>',
    '</rss>',
    '',
  ].join('\n');
}
