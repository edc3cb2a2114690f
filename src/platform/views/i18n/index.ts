// i18n catalogue: Italian is the language of the platform, English the second. Each module adds its own
// messages with addMessages(); keys are namespaced ('members.adhesion.title').
export type Locale = 'it' | 'en';
export const locales: Locale[] = ['it', 'en'];

type Catalogue = Record<string, string>;
const catalogues: Record<Locale, Catalogue> = { it: {}, en: {} };

export function addMessages(messages: { it: Catalogue; en?: Partial<Catalogue> }): void {
  for (const [key, value] of Object.entries(messages.it)) {
    if (key in catalogues.it && catalogues.it[key] !== value) throw new Error(`i18n key defined twice: ${key}`);
    catalogues.it[key] = value;
  }
  Object.assign(catalogues.en, messages.en ?? {});
}

/** Translates `key`, replacing `{name}` placeholders. Falls back to Italian, then to the key itself. */
export function t(key: string, vars: Record<string, string | number> = {}, locale: Locale = 'it'): string {
  const template = catalogues[locale][key] ?? catalogues.it[key];
  if (template === undefined) {
    if (process.env.NODE_ENV === 'test') throw new Error(`missing i18n key: ${key}`);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** Formats numbers and dates the Italian way. */
export const formatNumber = (n: number, locale: Locale = 'it') => new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB').format(n);

const romeDateTime = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
/** An instant as Rome wall time, '31/12/2026, 23:59' (the offices' clock, summer or winter); '' for none. */
export const formatDateTime = (at: Date | string | null | undefined): string => (at ? romeDateTime.format(new Date(at)) : '');

export function formatDate(isoDate: string | null | undefined, locale: Locale = 'it'): string {
  if (!isoDate) return '';
  const [y, m, d] = isoDate.slice(0, 10).split('-');
  return locale === 'it' ? `${d}/${m}/${y}` : `${y}-${m}-${d}`;
}
