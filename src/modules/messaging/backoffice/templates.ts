// Message templates: texts with placeholders ({{comune}}, {{data}}, {{ora}}, {{via}} …) that the operator fills
// when composing. Rendering is a pure function; the templates themselves live in msg_template per ente.
import type { Selectable } from 'kysely';
import { recordAudit, type Actor } from '../../../platform/audit/index.js';
import type { Trx } from '../../../platform/db/index.js';
import { MessagingError } from '../service.js';
import type { CapInput } from '../cap/cap.js';

declare module '../../../platform/db/schema.js' {
  interface DB {
    msg_template: {
      ente_id: string;
      id: import('kysely').Generated<string>;
      name: string;
      title: string;
      body: string;
      sms_text: string | null;
      topics: import('kysely').Generated<string[]>;
      urgent: import('kysely').Generated<boolean>;
      cap: import('kysely').ColumnType<Partial<CapInput> | null, string | null, string | null>;
      created_by: string;
      created_at: import('kysely').Generated<Date>;
    };
  }
}
import type { DB } from '../../../platform/db/index.js';
export type TemplateRow = Selectable<DB['msg_template']>;

/** The placeholders a template may use, with what each means (shown next to its field). */
export const PLACEHOLDERS = {
  comune: 'Nome del comune',
  data: 'Data (es. 24/11/2026)',
  ora: 'Ora (es. 14:30)',
  via: 'Via o località',
  zona: 'Zona o quartiere',
  rifiuto: 'Tipo di rifiuto',
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;
export const isPlaceholder = (name: string): name is Placeholder => Object.hasOwn(PLACEHOLDERS, name);

const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders used in the texts, in order of first appearance (unknown names included: render refuses them). */
export function placeholdersOf(...texts: (string | null | undefined)[]): string[] {
  const seen: string[] = [];
  for (const text of texts) for (const m of (text ?? '').matchAll(PATTERN)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/**
 * Fills the placeholders of `text` with `values`. An unknown placeholder, or a known one without a value, is an
 * Italian error for the operator; text without placeholders comes back as it is.
 */
export function renderTemplate(text: string, values: Readonly<Record<string, string | undefined>>): string {
  const unknown = placeholdersOf(text).filter((name) => !isPlaceholder(name));
  if (unknown.length > 0) throw new MessagingError(`Segnaposto sconosciuto: ${unknown.map((n) => `{{${n}}}`).join(', ')}. Quelli disponibili sono ${Object.keys(PLACEHOLDERS).map((n) => `{{${n}}}`).join(', ')}.`);
  const missing = placeholdersOf(text).filter((name) => !values[name]?.trim());
  if (missing.length > 0) throw new MessagingError(`Manca il valore di ${missing.map((n) => `{{${n}}}`).join(', ')}`);
  return text.replace(PATTERN, (_, name: string) => values[name]!.trim());
}

export interface TemplateInput {
  name: string;
  title: string;
  body: string;
  smsText?: string | null | undefined;
  topics: readonly string[];
  urgent?: boolean | undefined;
  cap?: Partial<CapInput> | null | undefined;
}

/** The templates every ente starts with. */
export const DEFAULT_TEMPLATES: readonly TemplateInput[] = [
  {
    name: 'Allerta meteo',
    title: 'Allerta meteo a {{comune}} dalle {{ora}} del {{data}}',
    body: 'La Protezione civile comunica un’allerta meteo a {{comune}} dalle ore {{ora}} del {{data}}. Si raccomanda di evitare gli spostamenti non necessari, di non sostare nei sottopassi e vicino ai corsi d’acqua e di seguire gli aggiornamenti sui canali del Comune.',
    smsText: 'ALLERTA METEO {{comune}} dalle {{ora}} del {{data}}: evitare spostamenti non necessari, sottopassi e corsi d’acqua.',
    topics: ['protezione-civile'],
    urgent: true,
    cap: { category: 'Met', event: 'Allerta meteo', urgency: 'Expected', severity: 'Severe', certainty: 'Likely' },
  },
  {
    name: 'Chiusura strada',
    title: 'Chiusura di {{via}} il {{data}}',
    body: 'Si comunica che il {{data}} dalle ore {{ora}} {{via}} a {{comune}} sarà chiusa al traffico. Seguire le indicazioni della segnaletica per i percorsi alternativi.',
    smsText: '{{comune}}: {{via}} chiusa al traffico il {{data}} dalle {{ora}}. Seguire i percorsi alternativi segnalati.',
    topics: ['viabilita'],
  },
  {
    name: 'Raccolta rifiuti',
    title: 'Raccolta {{rifiuto}}: cambio di calendario il {{data}}',
    body: 'A {{comune}} la raccolta di {{rifiuto}} prevista per il {{data}} nella zona {{zona}} è spostata. Esporre i contenitori la sera prima entro le ore {{ora}}.',
    smsText: '{{comune}}: raccolta {{rifiuto}} zona {{zona}} spostata al {{data}}, esporre entro le {{ora}}.',
    topics: ['rifiuti'],
  },
];

export async function listTemplates(trx: Trx): Promise<TemplateRow[]> {
  return trx.selectFrom('msg_template').selectAll().orderBy('name').execute();
}

export async function getTemplate(trx: Trx, id: string): Promise<TemplateRow | undefined> {
  return trx.selectFrom('msg_template').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Saves a template of `enteId` (inside its withEnte transaction); the placeholders must all be known. */
export async function createTemplate(trx: Trx, actor: Actor, enteId: string, input: TemplateInput): Promise<TemplateRow> {
  if (!input.name.trim() || input.name.length > 80) throw new MessagingError('Il nome del modello è obbligatorio (al massimo 80 caratteri)');
  if (!input.title.trim() || input.title.length > 120) throw new MessagingError('Il titolo è obbligatorio (al massimo 120 caratteri)');
  if (!input.body.trim() || input.body.length > 10_000) throw new MessagingError('Il testo è obbligatorio (al massimo 10.000 caratteri)');
  const unknown = placeholdersOf(input.title, input.body, input.smsText).filter((n) => !isPlaceholder(n));
  if (unknown.length > 0) throw new MessagingError(`Segnaposto sconosciuto: ${unknown.map((n) => `{{${n}}}`).join(', ')}`);
  const clash = await trx.selectFrom('msg_template').select('id').where('name', '=', input.name.trim()).executeTakeFirst();
  if (clash) throw new MessagingError('Esiste già un modello con questo nome', 409);
  const row = await trx
    .insertInto('msg_template')
    .values({
      ente_id: enteId,
      name: input.name.trim(),
      title: input.title.trim(),
      body: input.body,
      sms_text: input.smsText?.trim() || null,
      topics: [...input.topics],
      urgent: input.urgent ?? false,
      cap: input.cap ? JSON.stringify(input.cap) : null,
      created_by: actor.label,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(trx, { enteId, actor, action: 'messaging.template.create', entity: 'msg_template', entityId: row.id, after: { name: row.name } });
  return row;
}

/** Adds the default templates an ente lacks (by name). */
export async function ensureDefaultTemplates(trx: Trx, enteId: string): Promise<void> {
  await trx
    .insertInto('msg_template')
    .values(DEFAULT_TEMPLATES.map((t) => ({ ente_id: enteId, name: t.name, title: t.title, body: t.body, sms_text: t.smsText ?? null, topics: [...t.topics], urgent: t.urgent ?? false, cap: t.cap ? JSON.stringify(t.cap) : null, created_by: 'system' })))
    .onConflict((oc) => oc.columns(['ente_id', 'name']).doNothing())
    .execute();
}
