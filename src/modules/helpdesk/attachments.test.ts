// Ticket attachments: stored in the ente's file store with a history event and an audit row, names made safe,
// the limits (20 MB, 10 files, no empty file, no closed ticket), internal files hidden from requesters, and the
// list and download routes: the ente's users see their files, another ente's user gets 403 (audited) and
// nothing else, anonymous visitors 401.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { login, type Browser } from '../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import type { Kysely } from 'kysely';
import { systemActor } from '../../platform/audit/index.js';
import type { DB } from '../../platform/db/index.js';
import type { FileStore } from '../../platform/files/index.js';
import { HttpProblem } from '../../platform/http/problem.js';
import { getEnteBySlug, type Ente } from '../../platform/tenancy/index.js';
import { attachFiles, listAttachments, readAttachment, safeFileName, safeMediaType } from './attachments.js';
import { addReply, changeState, openTicket, ticketDetail } from './service.js';

const desk = { id: null, label: 'tecnico@cst.demo' };
const status = (code: number) => (err: unknown) => err instanceof HttpProblem && err.status === code;

describe('ticket attachments', () => {
  let t: TestPlatform;
  let asti: Ente;
  let canelli: Ente;
  let ticketId: string;
  let cst: Browser;
  let astiAdmin: Browser;
  let canelliUser: Browser;
  let db: Kysely<DB>;
  let files: FileStore;

  before(async () => {
    t = await startTestPlatform();
    ({ platform: { db: { app: db }, files } } = t);
    asti = (await getEnteBySlug(t.platform.db.owner, 'asti'))!;
    canelli = (await getEnteBySlug(t.platform.db.owner, 'canelli'))!;
    const ticket = await openTicket(t.platform.db.app, systemActor, asti.id, { channel: 'phone', callerName: 'Anna', callerPhone: '0141 1', category: 'altro', urgency: 2, impact: 2, subject: 'Con allegati', description: 'x' });
    ticketId = ticket.id;
    [cst, astiAdmin, canelliUser] = await Promise.all([login(t.app, 'tecnico@cst.demo'), login(t.app, 'admin@asti.demo'), login(t.app, 'segreteria@canelli.demo')]);
  });
  after(() => t.close());

  it('makes names and media types safe', () => {
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('C:\\Users\\x\\relazione.pdf'), 'relazione.pdf');
    assert.equal(safeFileName('fattura\u202Efdp.exe'), 'fatturafdp.exe');
    assert.equal(safeFileName('a\u0000b\nc.txt'), 'abc.txt');
    assert.equal(safeFileName('...'), 'allegato');
    assert.equal(safeFileName('.htaccess'), 'htaccess');
    const long = safeFileName(`${'x'.repeat(400)}.pdf`);
    assert.equal(long.length, 255);
    assert.ok(long.endsWith('.pdf'));
    assert.equal(safeMediaType('Image/PNG; name="x.png"'), 'image/png');
    assert.equal(safeMediaType('text/html<script>'), 'application/octet-stream');
  });

  it('stores files with an event and an audit row, and reads them back byte for byte', async () => {
    const bytes = randomBytes(5000);
    const [view] = await attachFiles(db, files, desk, asti.id, ticketId, [{ bytes, fileName: '../verbale.pdf', mediaType: 'application/pdf' }]);
    assert.equal(view!.fileName, 'verbale.pdf');
    assert.equal(view!.sizeBytes, 5000);
    assert.equal(view!.public, true);
    assert.equal(view!.addedBy, 'tecnico@cst.demo');
    const read = await readAttachment(db, files, asti.id, ticketId, view!.id, { withInternal: false });
    assert.ok(read && read.bytes.equals(bytes));
    const detail = await ticketDetail(db, asti.id, ticketId, { withInternalNotes: false });
    const event = detail!.events.find((e) => e.id === view!.eventId)!;
    assert.equal(event.kind, 'attachment');
    assert.equal(event.body, 'Allegati: verbale.pdf');
    const audit = await t.platform.db.owner.selectFrom('audit_log').select('action').where('ente_id', '=', asti.id).where('entity_id', '=', ticketId).where('action', '=', 'ticket.attachment.add').execute();
    assert.equal(audit.length, 1);
    // another ente's transaction does not see it
    assert.equal(await readAttachment(db, files, canelli.id, ticketId, view!.id, { withInternal: true }), undefined);
  });

  it('links files to the message they came with', async () => {
    const eventId = await addReply(db, desk, asti.id, ticketId, 'Ecco la foto', { side: 'requester' });
    const [view] = await attachFiles(db, files, desk, asti.id, ticketId, [{ bytes: randomBytes(10), fileName: 'foto.jpg', mediaType: 'image/jpeg' }], { eventId });
    assert.equal(view!.eventId, eventId);
    await assert.rejects(attachFiles(db, files, desk, asti.id, ticketId, [{ bytes: randomBytes(10), fileName: 'x', mediaType: 'text/plain' }], { eventId: 999_999_999 }), status(422));
  });

  it('keeps internal files to the desk, in an internal note', async () => {
    const [internal] = await attachFiles(db, files, desk, asti.id, ticketId, [{ bytes: randomBytes(100), fileName: 'password-router.txt', mediaType: 'text/plain' }], { public: false });
    assert.equal((await listAttachments(db, asti.id, ticketId, { withInternal: false })).some((a) => a.id === internal!.id), false);
    assert.equal((await listAttachments(db, asti.id, ticketId, { withInternal: true })).some((a) => a.id === internal!.id), true);
    assert.equal(await readAttachment(db, files, asti.id, ticketId, internal!.id, { withInternal: false }), undefined);
    const seen = await ticketDetail(db, asti.id, ticketId, { withInternalNotes: false });
    assert.doesNotMatch(JSON.stringify(seen!.events), /password-router/);
  });

  it('enforces the limits: 20 MB a file, 10 files a call, no empty file, no closed ticket', async () => {
    const one = (bytes: Buffer) => [{ bytes, fileName: 'f.bin', mediaType: 'application/octet-stream' }];
    await assert.rejects(attachFiles(db, files, desk, asti.id, ticketId, one(Buffer.alloc(20 * 1024 * 1024 + 1))), status(413));
    await assert.rejects(attachFiles(db, files, desk, asti.id, ticketId, one(Buffer.alloc(0))), status(422));
    await assert.rejects(attachFiles(db, files, desk, asti.id, ticketId, Array.from({ length: 11 }, () => one(Buffer.from('x'))[0]!)), status(422));
    await assert.rejects(attachFiles(db, files, desk, asti.id, ticketId, []), status(422));
    const closed = await openTicket(db, systemActor, asti.id, { channel: 'phone', callerName: 'B', callerPhone: '0141 2', category: 'altro', urgency: 3, impact: 3, subject: 'Chiuso', description: 'x' });
    await changeState(db, systemActor, asti.id, closed.id, 'solved');
    await changeState(db, systemActor, asti.id, closed.id, 'closed');
    await assert.rejects(attachFiles(db, files, desk, asti.id, closed.id, one(Buffer.from('x'))), status(409));
  });

  it('lists and downloads through the API; internal files for the desk only; another ente gets 403, anonymous 401', async () => {
    const bytes = randomBytes(2048);
    const [pub] = await attachFiles(db, files, desk, asti.id, ticketId, [{ bytes, fileName: 'città – verbale.pdf', mediaType: 'application/pdf' }]);
    const [internal] = await attachFiles(db, files, desk, asti.id, ticketId, [{ bytes: randomBytes(10), fileName: 'interno.txt', mediaType: 'text/plain' }], { public: false });
    const base = `/api/v1/enti/asti/tickets/${ticketId}/attachments`;
    const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });

    const deskList = (await get(cst, base)).json();
    assert.ok(deskList.items.some((a: { id: string }) => a.id === internal!.id));
    const enteList = await get(astiAdmin, base);
    assert.equal(enteList.statusCode, 200);
    assert.ok(enteList.json().items.some((a: { id: string; href: string }) => a.id === pub!.id && a.href === `${base}/${pub!.id}`));
    assert.ok(!enteList.json().items.some((a: { id: string }) => a.id === internal!.id));

    const download = await get(astiAdmin, `${base}/${pub!.id}`);
    assert.equal(download.statusCode, 200);
    assert.ok(download.rawPayload.equals(bytes));
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="citta _ verbale.pdf"; filename\*=UTF-8''citt%C3%A0%20%E2%80%93%20verbale.pdf$/);
    assert.equal(download.headers['cache-control'], 'no-store');
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    assert.equal((await get(astiAdmin, `${base}/${internal!.id}`)).statusCode, 404);
    assert.equal((await get(cst, `${base}/${internal!.id}`)).statusCode, 200);

    for (const url of [base, `${base}/${pub!.id}`]) {
      const denied = await get(canelliUser, url);
      assert.equal(denied.statusCode, 403);
      assert.match(String(denied.headers['content-type']), /problem\+json/);
      assert.doesNotMatch(denied.body, /verbale|interno/);
      assert.equal((await get(null, url)).statusCode, 401);
    }
    const audited = await t.platform.db.owner.selectFrom('audit_log').select('actor_label').where('ente_id', '=', asti.id).where('action', '=', 'access.denied').where('actor_label', '=', 'segreteria@canelli.demo').execute();
    assert.ok(audited.length >= 2);
    // through their own ente's URL the ticket simply does not exist
    assert.equal((await get(canelliUser, `/api/v1/enti/canelli/tickets/${ticketId}/attachments`)).statusCode, 404);
    assert.equal((await get(canelliUser, `/api/v1/enti/canelli/tickets/${ticketId}/attachments/${pub!.id}`)).statusCode, 404);
    assert.equal((await get(astiAdmin, `${base}/not-a-uuid`)).statusCode, 400);
    const openapi = await get(null, '/api/openapi.json');
    assert.equal(openapi.statusCode, 200);
    assert.ok(openapi.json().paths['/api/v1/enti/{slug}/tickets/{id}/attachments/{attachmentId}']);
  });
});
