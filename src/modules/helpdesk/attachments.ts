// Files attached to a ticket (from the ticket pages or from an e-mail). The bytes go to the ente's file store
// in the transaction that records them, with a history event and an audit row. Internal attachments (public:
// false) are the desk's, like internal notes: their event is an internal note and requesters never see them.
// Also the two JSON routes that list and download them.
import type { Kysely, Selectable } from 'kysely';
import { Type } from 'typebox';
import { recordAudit, type Actor } from '../../platform/audit/index.js';
import { withEnte, type DB } from '../../platform/db/index.js';
import type { FileStore } from '../../platform/files/index.js';
import type { App } from '../../platform/http/app.js';
import { sendPrivateFile } from '../../platform/http/download.js';
import { conflict, HttpProblem, notFound, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { requireTicketReader } from './access.js';
import { lockedTicket, writeEvent } from './service.js';

export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_CALL = 10;

export interface AttachmentView {
  id: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  public: boolean;
  addedBy: string;
  addedAt: Date;
  eventId: number | null;
}

export interface Upload {
  bytes: Buffer;
  fileName: string;
  mediaType: string;
}

type AttachmentRow = Selectable<DB['ticket_attachment']>;

/**
 * A name that is safe to store and show: no folders ('../../etc/passwd' → 'passwd'), no control or
 * bidirectional-override characters (which disguise 'exe.pdf' as 'fdp.exe'), at most 255 characters with the
 * extension kept.
 */
export function safeFileName(name: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  let clean = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (!clean) clean = 'allegato';
  if (clean.length > 255) {
    const extension = /\.[A-Za-z0-9]{1,10}$/.exec(clean)?.[0] ?? '';
    clean = clean.slice(0, 255 - extension.length) + extension;
  }
  return clean;
}

/** 'image/PNG; name=x' → 'image/png'; anything that is not a plain type/subtype becomes application/octet-stream. */
export function safeMediaType(mediaType: string): string {
  const bare = (mediaType ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(bare) ? bare : 'application/octet-stream';
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

function validate(uploads: readonly Upload[]): void {
  if (uploads.length === 0) throw unprocessable('Nessun file da allegare');
  if (uploads.length > MAX_ATTACHMENTS_PER_CALL) throw unprocessable(`Si possono allegare al massimo ${MAX_ATTACHMENTS_PER_CALL} file per volta`);
  for (const upload of uploads) {
    if (upload.bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new HttpProblem(413, 'File troppo grande', `Il file «${safeFileName(upload.fileName)}» supera i ${megabytes(MAX_ATTACHMENT_BYTES)} (è di ${megabytes(upload.bytes.length)})`);
    }
    if (upload.bytes.length === 0) throw unprocessable(`Il file «${safeFileName(upload.fileName)}» è vuoto`);
  }
}

function view(row: AttachmentRow): AttachmentView {
  return {
    id: row.id,
    fileName: row.file_name,
    mediaType: row.media_type,
    sizeBytes: row.size_bytes,
    public: row.public,
    addedBy: row.added_by,
    addedAt: row.added_at,
    eventId: row.event_id,
  };
}

/**
 * Attaches files to a ticket: stored in the ente's file store, listed in the history (an 'attachment' event,
 * or an internal note for internal files), audited. With `eventId` the files belong to that event (e.g. the
 * reply of an e-mail they came with). 413 for a file over 20 MB, 422 for more than 10 files or an empty one,
 * 409 on a closed or merged ticket.
 */
export async function attachFiles(
  db: Kysely<DB>,
  files: FileStore,
  actor: Actor,
  enteId: string,
  ticketId: string,
  uploads: { bytes: Buffer; fileName: string; mediaType: string }[],
  options: { public?: boolean; eventId?: number | null; now?: Date } = {},
): Promise<AttachmentView[]> {
  validate(uploads);
  const isPublic = options.public ?? true;
  const now = options.now ?? new Date();
  const named = uploads.map((u) => ({ bytes: u.bytes, fileName: safeFileName(u.fileName), mediaType: safeMediaType(u.mediaType) }));
  return withEnte(db, enteId, async (trx) => {
    const ticket = await lockedTicket(trx, ticketId);
    if (ticket.state === 'closed') throw conflict('Il ticket è chiuso: riaprilo per allegare file');
    if (ticket.merged_into) throw conflict('Il ticket è stato unito a un altro: allega i file a quello');
    if (options.eventId != null) {
      const event = await trx.selectFrom('ticket_event').select('id').where('id', '=', options.eventId).where('ticket_id', '=', ticket.id).executeTakeFirst();
      if (!event) throw unprocessable("L'evento indicato non appartiene al ticket");
    }
    const list = named.map((u) => u.fileName).join(', ');
    const historyId = await writeEvent(trx, ticket, actor, now, isPublic ? { kind: 'attachment', body: `Allegati: ${list}` } : { kind: 'internal_note', body: `Allegati interni: ${list}` });
    const views: AttachmentView[] = [];
    for (const upload of named) {
      const stored = await files.put(trx, enteId, { bytes: upload.bytes, mediaType: upload.mediaType, originalName: upload.fileName, createdBy: actor.id });
      const row = await trx
        .insertInto('ticket_attachment')
        .values({
          ente_id: enteId,
          ticket_id: ticket.id,
          event_id: options.eventId ?? historyId,
          sha256: stored.sha256,
          file_name: upload.fileName,
          media_type: upload.mediaType,
          size_bytes: stored.sizeBytes,
          public: isPublic,
          added_by: actor.label,
          added_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      views.push(view(row));
    }
    await recordAudit(trx, {
      enteId,
      actor,
      action: 'ticket.attachment.add',
      entity: 'ticket',
      entityId: ticket.id,
      after: { files: views.map((v) => ({ id: v.id, name: v.fileName, size: v.sizeBytes })), public: isPublic },
    });
    return views;
  });
}

/** The ticket's attachments, oldest first; internal ones only `withInternal` (the desk). */
export async function listAttachments(db: Kysely<DB>, enteId: string, ticketId: string, options: { withInternal: boolean }): Promise<AttachmentView[]> {
  return withEnte(db, enteId, async (trx) => {
    let query = trx.selectFrom('ticket_attachment').selectAll().where('ticket_id', '=', ticketId);
    if (!options.withInternal) query = query.where('public', '=', true);
    const rows = await query.orderBy('added_at').orderBy('file_name').execute();
    return rows.map(view);
  });
}

/** One attachment with its bytes, or undefined when the ticket of this ente has no such (visible) attachment. */
export async function readAttachment(
  db: Kysely<DB>,
  files: FileStore,
  enteId: string,
  ticketId: string,
  attachmentId: string,
  options: { withInternal: boolean },
): Promise<{ view: AttachmentView; bytes: Buffer } | undefined> {
  return withEnte(db, enteId, async (trx) => {
    const row = await trx.selectFrom('ticket_attachment').selectAll().where('ticket_id', '=', ticketId).where('id', '=', attachmentId).executeTakeFirst();
    if (!row || (!row.public && !options.withInternal)) return undefined;
    const file = await files.get(trx, row.sha256);
    if (!file) return undefined;
    return { view: view(row), bytes: file.bytes };
  });
}

// ------------------------------------------------------------------------------------------------ routes

const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });
const Slug = Type.String({ pattern: '^[a-z0-9-]{1,100}$' });
const TicketParams = Type.Object({ slug: Slug, id: Type.String({ format: 'uuid' }) });
const AttachmentOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  fileName: Type.String(),
  mediaType: Type.String(),
  sizeBytes: Type.Integer(),
  public: Type.Boolean(),
  addedBy: Type.String(),
  addedAt: Type.String({ format: 'date-time' }),
  eventId: Type.Union([Type.Integer(), Type.Null()]),
  href: Type.String(),
});

/** GET …/tickets/:id/attachments (list) and …/attachments/:attachmentId (download); internal files for the desk only. */
export function registerAttachmentRoutes(app: App, platform: Platform): void {
  const { db, files } = platform;
  const tags = ['helpdesk'];

  async function reader(request: Parameters<typeof requireTicketReader>[0], slug: string) {
    const ente = await getEnteBySlug(db.app, slug);
    if (!ente) throw notFound('Ente inesistente');
    const { desk } = await requireTicketReader(request, db.app, ente.id);
    return { ente, desk };
  }

  app.get(
    '/api/v1/enti/:slug/tickets/:id/attachments',
    {
      schema: {
        tags,
        summary: 'Gli allegati di un ticket',
        description: 'Gli allegati interni sono visibili solo al help desk del CST.',
        params: TicketParams,
        response: { 200: Type.Object({ items: Type.Array(AttachmentOut) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { ente, desk } = await reader(request, request.params.slug);
      const exists = await withEnte(db.app, ente.id, (trx) => trx.selectFrom('ticket').select('id').where('id', '=', request.params.id).executeTakeFirst());
      if (!exists) throw notFound('Ticket inesistente');
      const items = await listAttachments(db.app, ente.id, request.params.id, { withInternal: desk });
      const base = `/api/v1/enti/${ente.slug}/tickets/${request.params.id}/attachments`;
      return { items: items.map((a) => ({ ...a, addedAt: a.addedAt.toISOString(), href: `${base}/${a.id}` })) };
    },
  );

  app.get(
    '/api/v1/enti/:slug/tickets/:id/attachments/:attachmentId',
    {
      schema: {
        tags,
        summary: 'Scarica un allegato di un ticket',
        params: Type.Object({ slug: Slug, id: Type.String({ format: 'uuid' }), attachmentId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const { ente, desk } = await reader(request, request.params.slug);
      const found = await readAttachment(db.app, files, ente.id, request.params.id, request.params.attachmentId, { withInternal: desk });
      if (!found) throw notFound('Allegato inesistente');
      return sendPrivateFile(reply, { name: found.view.fileName, mediaType: found.view.mediaType, bytes: found.bytes });
    },
  );
}
