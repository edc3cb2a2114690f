// Messages of the public side of the albo pretorio (pages, feed, JSON API problems). Italian only: the albo is
// a legal publication in Italian.
import { addMessages, formatNumber, t } from '../../platform/views/i18n/index.js';

addMessages({
  it: {
    'noticeboard.public.title': 'Albo pretorio online',
    'noticeboard.public.intro':
      'Gli atti di {name} in pubblicazione oggi. La pubblicazione all’albo pretorio online ha effetto di pubblicità legale (legge 18 giugno 2009, n. 69, art. 32).',
    'noticeboard.public.legal':
      'Ogni atto resta consultabile per tutto il periodo di pubblicazione previsto per il suo tipo; al termine non è più disponibile online, a tutela della riservatezza delle persone citate. Per averne copia si può chiedere l’accesso agli atti all’ente.',
    'noticeboard.public.enteNotFound': 'Nessun ente della rete ha l’indirizzo «{slug}».',
    'noticeboard.public.noticeNotFound': 'Nessun atto in pubblicazione corrisponde a questo indirizzo. Controlla l’indirizzo o cerca l’atto nell’elenco dell’albo.',
    'noticeboard.public.gone':
      'Atto non più pubblicato: il periodo di pubblicazione all’albo pretorio è terminato e l’atto non è più consultabile online, a tutela della riservatezza delle persone citate (diritto all’oblio). Per averne copia si può presentare all’ente una richiesta di accesso agli atti.',
    'noticeboard.public.number': 'n. {label}',
    'noticeboard.public.period': 'dal {from} al {to}',
    'noticeboard.public.extendedShort': '(prorogato)',
    'noticeboard.public.media.pdf': 'PDF',
    'noticeboard.public.media.p7m': 'PDF firmato digitalmente (.p7m)',

    // list
    'noticeboard.public.feed.link': 'Ricevi gli aggiornamenti con il feed RSS dell’albo',
    'noticeboard.public.feed.title': 'Albo pretorio online di {name} (RSS)',
    'noticeboard.public.filters': 'Cerca negli atti in pubblicazione',
    'noticeboard.public.filters.type': 'Tipo di atto',
    'noticeboard.public.filters.type.all': 'Tutti i tipi',
    'noticeboard.public.filters.year': 'Anno del registro',
    'noticeboard.public.filters.year.all': 'Tutti gli anni',
    'noticeboard.public.filters.q': 'Testo da cercare',
    'noticeboard.public.filters.q.help': 'Cerca nell’oggetto, nell’ufficio e nel numero dell’atto. Trova anche le forme simili delle parole (es. «lavori» trova «lavoro»).',
    'noticeboard.public.filters.submit': 'Cerca',
    'noticeboard.public.filters.reset': 'Azzera i filtri',
    'noticeboard.public.results': 'Atti in pubblicazione',
    'noticeboard.public.results.none': 'Oggi non ci sono atti in pubblicazione.',
    'noticeboard.public.results.noneFiltered': 'Nessun atto in pubblicazione corrisponde alla ricerca.',
    'noticeboard.public.results.online.one': '1 atto in pubblicazione.',
    'noticeboard.public.results.online.other': '{count} atti in pubblicazione.',
    'noticeboard.public.results.found.one': '1 atto trovato.',
    'noticeboard.public.results.found.other': '{count} atti trovati.',
    'noticeboard.public.results.range': 'Sono mostrati gli atti da {from} a {to}.',
    'noticeboard.public.pagination': 'Pagine dei risultati',
    'noticeboard.public.pagination.previous': 'Pagina precedente',
    'noticeboard.public.pagination.next': 'Pagina successiva',
    'noticeboard.public.pagination.page': 'Pagina',
    'noticeboard.public.pagination.status': 'Pagina {page} di {pages}',
    'noticeboard.public.annulled.badge': 'ANNULLATO',
    'noticeboard.public.corrected.badge': 'rettificato',
    'noticeboard.public.corrects': 'rettifica dell’atto',
    'noticeboard.public.corrects.unnumbered': 'originale',
    'noticeboard.public.correctedBy': 'dall’atto',

    // detail
    'noticeboard.public.detail.title': 'Atto {ref}',
    'noticeboard.public.detail.data': 'Dati della pubblicazione',
    'noticeboard.public.detail.register': 'Numero di registro',
    'noticeboard.public.detail.type': 'Tipo di atto',
    'noticeboard.public.detail.subject': 'Oggetto',
    'noticeboard.public.detail.office': 'Ufficio',
    'noticeboard.public.detail.actNumber': 'Numero dell’atto',
    'noticeboard.public.detail.actDate': 'Data dell’atto',
    'noticeboard.public.detail.requester': 'Pubblicato su richiesta di',
    'noticeboard.public.detail.period': 'Periodo di pubblicazione',
    'noticeboard.public.detail.days.one': '(1 giorno)',
    'noticeboard.public.detail.days.other': '({count} giorni consecutivi)',
    'noticeboard.public.detail.extended.one': 'Periodo prorogato di 1 giorno per interruzione del servizio (termine originario: {original}).',
    'noticeboard.public.detail.extended.other': 'Periodo prorogato di {count} giorni per interruzione del servizio (termine originario: {original}).',
    'noticeboard.public.detail.corrects': 'Rettifica dell’atto',
    'noticeboard.public.detail.correctedBy': 'Rettificato dall’atto',
    'noticeboard.public.detail.missing': 'non indicato',
    'noticeboard.public.detail.back': 'Torna all’elenco degli atti in pubblicazione',
    'noticeboard.public.annulled.stamp': 'ANNULLATO il {date}',
    'noticeboard.public.annulled.reason': '— motivo: {reason}',
    'noticeboard.public.annulled.note': 'L’atto resta pubblicato con il suo numero di registro, con l’indicazione dell’annullamento, fino al termine del periodo di pubblicazione.',
    'noticeboard.public.documents': 'Documenti',
    'noticeboard.public.documents.none': 'Nessun documento.',
    'noticeboard.public.documents.caption.one': '1 documento pubblicato',
    'noticeboard.public.documents.caption.other': '{count} documenti pubblicati',
    'noticeboard.public.documents.document': 'Documento',
    'noticeboard.public.documents.file': 'Nome del file',
    'noticeboard.public.documents.size': 'Dimensione',
    'noticeboard.public.documents.sha256': 'Impronta SHA-256',
    'noticeboard.public.documents.role.main': 'Documento principale',
    'noticeboard.public.documents.role.attachment': 'Allegato',
    'noticeboard.public.documents.sha256.help':
      'L’impronta SHA-256 identifica il contenuto esatto del file: calcolandola sul file scaricato si verifica che sia identico a quello pubblicato.',

    // feed
    'noticeboard.public.feed.comuneName': 'Comune di {name}',
    'noticeboard.public.feed.description': 'RSS feed ufficiale dell’Albo Pretorio online — {name}: gli atti in pubblicazione.',
    'noticeboard.public.feed.office': 'Ufficio',
    'noticeboard.public.feed.period': 'In pubblicazione',
    'noticeboard.public.feed.annulled': 'ANNULLATO il {date} — motivo: {reason}.',
    'noticeboard.public.feed.corrects': 'Rettifica dell’atto n. {label}.',
    'noticeboard.public.feed.correctedBy': 'Rettificato dall’atto n. {labels}.',
    'noticeboard.public.feed.extended.one': 'Periodo prorogato di 1 giorno per interruzione del servizio.',
    'noticeboard.public.feed.extended.other': 'Periodo prorogato di {count} giorni per interruzione del servizio.',
  },
});

/** Plural forms: `key.one` / `key.other`, with {count} formatted the Italian way. */
export function tp(key: string, count: number, vars: Record<string, string | number> = {}): string {
  return t(`${key}.${count === 1 ? 'one' : 'other'}`, { count: formatNumber(count), ...vars });
}
