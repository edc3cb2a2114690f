// Tickets from e-mail over a real SMTP flow: the platform's own inbound listener (port 0), real PostgreSQL,
// every message sent by a separate process (test/support/smtp-send.ts). New tickets with their attachments
// (bytes equal), one ticket for a Message-ID delivered twice, replies threaded by our notification's
// references or by the subject's tag, a solved ticket reopened, a closed one followed by a new ticket, and the
// bad input: forged ente, unknown sender, oversized (552, nothing stored), malformed MIME, auto-replies,
// bounces, and the recovery of a message whose processing stopped half way.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { login, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';
import { composeMail, smtpSend, smtpSendAll, type OutgoingMail, type SmtpTarget } from '../../../../test/support/smtp-send.js';
import { systemActor } from '../../../platform/audit/index.js';
import { getCstEnte, getEnteBySlug, type Ente } from '../../../platform/tenancy/index.js';
import { listAttachments, readAttachment } from '../attachments.js';
import { changeState, openTicket, ticketDetail } from '../service.js';
import { processInbound, recoverStalled } from './intake.js';

const LIMIT = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let counter = 0;
const newId = (tag: string) => `<${tag}.${Date.now()}.${++counter}@sender.example>`;

describe('help desk: tickets from e-mail over SMTP', () => {
  let t: TestPlatform;
  let smtp: SmtpTarget;
  let asti: Ente;
  let cst: Ente;
  let astiAdmin: Browser;
  let canelliUser: Browser;

  before(async () => {
    t = await startTestPlatform({ env: { INBOUND_SMTP_PORT: '0', INBOUND_MAIL_MAX_BYTES: String(LIMIT) } });
    assert.ok(t.inboundSmtp, 'the inbound SMTP listener is not running');
    smtp = { host: '127.0.0.1', port: t.inboundSmtp.port };
    asti = (await getEnteBySlug(t.platform.db.owner, 'asti'))!;
    cst = (await getCstEnte(t.platform.db.owner))!;
    astiAdmin = await login(t.app, 'admin@asti.demo');
    canelliUser = await login(t.app, 'segreteria@canelli.demo');
  });
  after(() => t.close());

  const inbound = (messageId: string) => t.platform.db.owner.selectFrom('inbound_mail').selectAll().where('message_id', '=', messageId).execute();
  const oneInbound = async (messageId: string) => {
    const rows = await inbound(messageId);
    assert.equal(rows.length, 1, `expected one inbound row for ${messageId}, got ${rows.length}`);
    return rows[0]!;
  };
  const ticket = (id: string) => t.platform.db.owner.selectFrom('ticket').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const send = (mail: OutgoingMail) => smtpSend(smtp, mail);
  const fromAsti = async (options: Parameters<typeof composeMail>[0] & { messageId: string }, to = 'assistenza@cst.demo') =>
    ({ from: 'admin@asti.demo', to: [to], raw: await composeMail({ from: 'Anna Verdi <admin@asti.demo>', to, ...options }) }) satisfies OutgoingMail;

  /** A ticket of Asti opened by mail from its admin, for the threading tests. */
  async function astiTicket(subject: string) {
    const messageId = newId('open');
    const result = await send(await fromAsti({ subject, text: 'Il problema', messageId }));
    assert.equal(result.code, 250, result.response);
    const row = await oneInbound(messageId);
    assert.equal(row.state, 'ticket_created', row.reason ?? '');
    return ticket(row.ticket_id!);
  }

  it('opens a ticket from a mail, with its attachments (inline image too), and the same Message-ID twice is one ticket', async () => {
    const pdf = randomBytes(200 * 1024);
    const png = randomBytes(3 * 1024);
    const messageId = newId('new');
    const mail = await fromAsti({
      subject: 'La stampante del protocollo non stampa',
      text: 'Buongiorno,\nla stampante non stampa da stamattina.',
      html: '<p>Buongiorno,<br>la stampante non stampa da stamattina. <img src="cid:foto@x"></p>',
      messageId,
      attachments: [
        { filename: 'rapporto.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'foto.png', content: png, contentType: 'image/png', cid: 'foto@x' },
      ],
    });
    const [first, again] = await smtpSendAll(smtp, [mail, mail]);
    assert.equal(first!.code, 250, first!.response);
    assert.equal(again!.code, 250, again!.response);
    const row = await oneInbound(messageId);
    assert.equal(row.state, 'ticket_created');
    assert.equal(row.ticket_ente_id, asti.id);
    const opened = await ticket(row.ticket_id!);
    assert.equal(opened.channel, 'email');
    assert.equal(opened.caller_email, 'admin@asti.demo');
    assert.equal(opened.caller_name, 'Anna Verdi');
    assert.equal(opened.subject, 'La stampante del protocollo non stampa');
    assert.match(opened.description, /la stampante non stampa da stamattina/);
    assert.deepEqual([opened.category_code, opened.urgency, opened.impact], ['altro', 3, 3]);
    const admin = await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', 'admin@asti.demo').executeTakeFirstOrThrow();
    assert.equal(opened.requester_id, admin.id);
    const sameSubject = await t.platform.db.owner.selectFrom('ticket').select('id').where('subject', '=', opened.subject).execute();
    assert.equal(sameSubject.length, 1, 'the second delivery opened another ticket');

    const files = await listAttachments(t.platform.db.app, asti.id, opened.id, { withInternal: false });
    assert.deepEqual(files.map((f) => f.fileName).sort(), ['foto.png', 'rapporto.pdf']);
    const report = files.find((f) => f.fileName === 'rapporto.pdf')!;
    const read = await readAttachment(t.platform.db.app, t.platform.files, asti.id, opened.id, report.id, { withInternal: false });
    assert.equal(sha(read!.bytes), sha(pdf));
    const image = await readAttachment(t.platform.db.app, t.platform.files, asti.id, opened.id, files.find((f) => f.fileName === 'foto.png')!.id, { withInternal: false });
    assert.equal(sha(image!.bytes), sha(png));

    // the raw message is kept in the CST's file store
    const stored = await t.platform.db.owner.selectFrom('stored_file').select('media_type').where('ente_id', '=', cst.id).where('sha256', '=', row.sha256).executeTakeFirst();
    assert.equal(stored?.media_type, 'message/rfc822');

    // the ente's user downloads it; another ente's user and anonymous visitors do not
    const url = `/api/v1/enti/asti/tickets/${opened.id}/attachments/${report.id}`;
    const own = await t.app.inject({ method: 'GET', url, headers: { cookie: astiAdmin.cookie } });
    assert.equal(own.statusCode, 200);
    assert.equal(sha(own.rawPayload), sha(pdf));
    const other = await t.app.inject({ method: 'GET', url, headers: { cookie: canelliUser.cookie } });
    assert.equal(other.statusCode, 403);
    assert.doesNotMatch(other.body, /rapporto|%PDF/);
    const viaOwnEnte = await t.app.inject({ method: 'GET', url: `/api/v1/enti/canelli/tickets/${opened.id}/attachments/${report.id}`, headers: { cookie: canelliUser.cookie } });
    assert.equal(viaOwnEnte.statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 401);
  });

  it('threads a reply by In-Reply-To/References into the ticket as a public reply, with its attachment', async () => {
    const opened = await astiTicket('Rete lenta in biblioteca');
    const messageId = newId('reply');
    const photo = randomBytes(4096);
    const result = await send(
      await fromAsti({
        subject: 'Re: Rete lenta in biblioteca',
        text: 'Adesso va meglio, ma ogni tanto si blocca.\n\nIl giorno lun 2 mar 2026 Assistenza ha scritto:\n> Abbiamo riavviato il router.',
        messageId,
        inReplyTo: `<ticket.${opened.id}.42@cir.example>`,
        references: [`<ticket.${opened.id}@cir.example>`, `<ticket.${opened.id}.42@cir.example>`],
        attachments: [{ filename: 'velocita.png', content: photo, contentType: 'image/png' }],
      }),
    );
    assert.equal(result.code, 250);
    const row = await oneInbound(messageId);
    assert.equal(row.state, 'reply_threaded', row.reason ?? '');
    assert.equal(row.ticket_id, opened.id);
    const detail = await ticketDetail(t.platform.db.app, asti.id, opened.id, { withInternalNotes: false });
    const reply = detail!.events.find((e) => e.kind === 'public_reply')!;
    assert.equal(reply.body, 'Adesso va meglio, ma ogni tanto si blocca.');
    assert.equal(reply.author, 'e-mail admin@asti.demo');
    const [file] = await listAttachments(t.platform.db.app, asti.id, opened.id, { withInternal: false });
    assert.equal(file!.eventId, reply.id);
  });

  it('threads a reply by the [CST #n/yyyy] tag of the subject, and a reply-all to the opening mail', async () => {
    const opened = await astiTicket('Account bloccato');
    const tagged = newId('tag');
    const replyAll = newId('reply-all');
    const openingId = (await t.platform.db.owner.selectFrom('inbound_mail').select('message_id').where('ticket_id', '=', opened.id).executeTakeFirstOrThrow()).message_id;
    const results = await smtpSendAll(smtp, [
      await fromAsti({ subject: `R: [CST #${opened.number}/${opened.year}] Account bloccato`, text: 'Ecco il nome utente: mrossi', messageId: tagged }),
      await fromAsti({ subject: 'Re: Account bloccato', text: 'Aggiungo un dettaglio', messageId: replyAll, inReplyTo: openingId, references: [openingId] }),
    ]);
    assert.deepEqual(results.map((r) => r.code), [250, 250]);
    for (const id of [tagged, replyAll]) {
      const row = await oneInbound(id);
      assert.equal(row.state, 'reply_threaded', row.reason ?? '');
      assert.equal(row.ticket_id, opened.id);
    }
    const detail = await ticketDetail(t.platform.db.app, asti.id, opened.id, { withInternalNotes: false });
    assert.deepEqual(detail!.events.filter((e) => e.kind === 'public_reply').map((e) => e.body), ['Ecco il nome utente: mrossi', 'Aggiungo un dettaglio']);
  });

  it('reopens a solved ticket with the reply; a reply to a closed ticket opens a new one that refers to it', async () => {
    const solved = await astiTicket('PEC non riceve');
    await changeState(t.platform.db.app, systemActor, asti.id, solved.id, 'solved');
    const closed = await astiTicket('Scanner non trovato');
    await changeState(t.platform.db.app, systemActor, asti.id, closed.id, 'solved');
    await changeState(t.platform.db.app, systemActor, asti.id, closed.id, 'closed');
    const [toSolved, toClosed] = [newId('solved'), newId('closed')];
    await smtpSendAll(smtp, [
      await fromAsti({ subject: 'Re: PEC non riceve', text: 'Il problema si ripresenta', messageId: toSolved, inReplyTo: `<ticket.${solved.id}.7@cir.example>` }),
      await fromAsti({ subject: `Re: [CST #${closed.number}/${closed.year}] Scanner non trovato`, text: 'Lo scanner è di nuovo sparito', messageId: toClosed }),
    ]);
    const reopenedRow = await oneInbound(toSolved);
    assert.equal(reopenedRow.state, 'reply_threaded');
    assert.match(reopenedRow.reason!, /era risolto: riaperto/);
    assert.equal((await ticket(solved.id)).state, 'reopened');
    const detail = await ticketDetail(t.platform.db.app, asti.id, solved.id, { withInternalNotes: false });
    assert.equal(detail!.events.at(-1)!.body, 'Il problema si ripresenta');

    const followRow = await oneInbound(toClosed);
    assert.equal(followRow.state, 'ticket_created');
    assert.notEqual(followRow.ticket_id, closed.id);
    assert.match(followRow.reason!, new RegExp(`Risposta al ticket chiuso ${closed.number}/${closed.year}: aperto il nuovo ticket`));
    const follow = await ticket(followRow.ticket_id!);
    assert.equal(follow.ente_id, asti.id);
    assert.equal(follow.subject, 'Scanner non trovato');
    assert.match(follow.description, new RegExp(`^Seguito del ticket chiuso ${closed.number}/${closed.year}\\.`));
    assert.equal((await ticket(closed.id)).state, 'closed');
  });

  it('quarantines a forged ente, an unknown sender and a reply from someone not entitled; nothing shows in the named ente', async () => {
    const astiOwn = await astiTicket('Badge non funziona');
    const [forged, unknown, foreignReply] = [newId('forged'), newId('unknown'), newId('foreign')];
    const canelliMail = (to: string, options: Parameters<typeof composeMail>[0]) => composeMail({ from: 'segreteria@canelli.demo', to, ...options });
    const results = await smtpSendAll(smtp, [
      { from: 'segreteria@canelli.demo', to: ['assistenza+asti@cst.demo'], raw: await canelliMail('assistenza+asti@cst.demo', { subject: 'Richiesta falsa per Asti', text: 'x', messageId: forged }) },
      { from: 'chiunque@esterno.example', to: ['assistenza@cst.demo'], raw: await composeMail({ from: 'chiunque@esterno.example', to: 'assistenza@cst.demo', subject: 'Chi sono?', text: 'x', messageId: unknown }) },
      { from: 'segreteria@canelli.demo', to: ['assistenza@cst.demo'], raw: await canelliMail('assistenza@cst.demo', { subject: 'Re: Badge', text: 'intrusione', messageId: foreignReply, inReplyTo: `<ticket.${astiOwn.id}.1@cir.example>` }) },
    ]);
    assert.deepEqual(results.map((r) => r.code), [250, 250, 250]);
    const forgedRow = await oneInbound(forged);
    assert.equal(forgedRow.state, 'quarantined');
    assert.match(forgedRow.reason!, /segreteria@canelli\.demo non risulta tra i referenti di Asti: ticket non aperto/);
    assert.equal((await oneInbound(unknown)).state, 'quarantined');
    assert.match((await oneInbound(unknown)).reason!, /Mittente sconosciuto/);
    const foreign = await oneInbound(foreignReply);
    assert.equal(foreign.state, 'quarantined');
    assert.match(foreign.reason!, /non è tra i referenti dell'ente del ticket/);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/enti/asti/tickets?limit=100', headers: { cookie: astiAdmin.cookie } });
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, /Richiesta falsa per Asti/);
    const anywhere = await t.platform.db.owner.selectFrom('ticket').select('id').where('subject', 'in', ['Richiesta falsa per Asti', 'Chi sono?']).execute();
    assert.equal(anywhere.length, 0);
    const detail = await ticketDetail(t.platform.db.app, asti.id, astiOwn.id, { withInternalNotes: true });
    assert.equal(detail!.events.filter((e) => e.kind === 'public_reply').length, 0);
  });

  it('knows a sender by the caller e-mail of an earlier ticket of one ente; an HTML-only mail becomes plain text', async () => {
    const nizza = (await getEnteBySlug(t.platform.db.owner, 'nizza-monferrato'))!;
    await openTicket(t.platform.db.app, systemActor, nizza.id, { channel: 'phone', callerName: 'Ufficio anagrafe', callerPhone: '0141 111111', callerEmail: 'anagrafe@nizza.example', category: 'software', urgency: 2, impact: 2, subject: 'Telefonata', description: 'x' });
    const messageId = newId('caller');
    const html = '<html><head><style>p{color:red}</style><script>alert("x")</script></head><body><p>I certificati <b>non</b> si stampano.</p></body></html>';
    await send({ from: 'anagrafe@nizza.example', to: ['assistenza@cst.demo'], raw: await composeMail({ from: 'anagrafe@nizza.example', to: 'assistenza@cst.demo', subject: 'Certificati non stampano', html, messageId }) });
    const row = await oneInbound(messageId);
    assert.equal(row.state, 'ticket_created');
    assert.equal(row.ticket_ente_id, nizza.id);
    const { description } = await ticket(row.ticket_id!);
    assert.match(description, /^I certificati non si stampano\./);
    assert.doesNotMatch(description, /<|alert\("x"\)|color:red/);
  });

  it('refuses an oversized message with 552 and stores nothing', async () => {
    const count = async () =>
      Promise.all([
        t.platform.db.owner.selectFrom('inbound_mail').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
        t.platform.db.owner.selectFrom('stored_file').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ]).then((rows) => rows.map((r) => Number(r.n)));
    const before = await count();
    const messageId = newId('big');
    const big = await fromAsti({ subject: 'Allegato enorme', text: 'x', messageId, attachments: [{ filename: 'enorme.bin', content: randomBytes(LIMIT) }] });
    const [declared, undeclared] = await smtpSendAll(smtp, [big, { ...big, client: 'raw' }]);
    assert.equal(declared!.code, 552, declared!.response);
    assert.equal(undeclared!.code, 552, undeclared!.response);
    assert.deepEqual(await count(), before);
    assert.equal((await inbound(messageId)).length, 0);
  });

  it('survives malformed MIME: broken boundary, bad base64, missing headers — stored, with a clear state', async () => {
    const [boundary, base64] = [newId('boundary'), newId('base64')];
    const brokenBoundary = [
      'From: admin@asti.demo', 'To: assistenza@cst.demo', 'Subject: Confine rotto', `Message-ID: ${boundary}`, 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="abc"', '', '--xyz', 'Content-Type: text/plain', '', 'Testo dentro un confine sbagliato', '--xyz--', '',
    ].join('\r\n');
    const badBase64 = [
      'From: admin@asti.demo', 'To: assistenza@cst.demo', 'Subject: Base64 rotto', `Message-ID: ${base64}`, 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'Vedi allegato', '--b1',
      'Content-Type: application/pdf; name="../../etc/passwd"', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename="../../etc/passwd"', '',
      '@@@ questo non è base64 !!!', '--b1--', '',
    ].join('\r\n');
    const noHeaders = 'questo messaggio non ha intestazioni\r\n';
    const results = await smtpSendAll(smtp, [
      { from: 'admin@asti.demo', to: ['assistenza@cst.demo'], raw: brokenBoundary, client: 'raw' },
      { from: 'admin@asti.demo', to: ['assistenza@cst.demo'], raw: badBase64, client: 'raw' },
      { from: 'admin@asti.demo', to: ['assistenza@cst.demo'], raw: noHeaders, client: 'raw' },
    ]);
    assert.deepEqual(results.map((r) => r.code), [250, 250, 250]);

    const boundaryRow = await oneInbound(boundary);
    assert.equal(boundaryRow.state, 'ticket_created', boundaryRow.reason ?? '');
    const base64Row = await oneInbound(base64);
    assert.equal(base64Row.state, 'ticket_created', base64Row.reason ?? '');
    const names = (await listAttachments(t.platform.db.app, asti.id, base64Row.ticket_id!, { withInternal: true })).map((a) => a.fileName);
    assert.ok(names.every((n) => !n.includes('/') && !n.includes('..')), `unsafe names: ${names}`);

    const synthetic = `<sha256.${sha(Buffer.from(noHeaders))}@senza-message-id>`;
    const bare = await oneInbound(synthetic);
    assert.equal(bare.state, 'quarantined');
    assert.match(bare.reason!, /Mittente mancante/);

    // a message mailparser cannot read at all: quarantined, raw kept
    await t.platform.db.owner.updateTable('inbound_mail').set({ state: 'received', reason: null, handled_at: null, attempts: 0 }).where('id', '=', bare.id).execute();
    await processInbound(t.platform, cst, { ...bare, state: 'received', attempts: 0 }, { parseError: 'Unexpected end of input' });
    const unreadable = await oneInbound(synthetic);
    assert.equal(unreadable.state, 'quarantined');
    assert.match(unreadable.reason!, /Formato del messaggio non leggibile: Unexpected end of input/);
  });

  it('discards auto-replies, bounces and mail from its own mailbox without opening tickets', async () => {
    const [auto, bounce, loop] = [newId('auto'), newId('bounce'), newId('loop')];
    const bounceRaw = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.asti.example>', 'To: assistenza@cst.demo', 'Subject: Undelivered Mail Returned to Sender', `Message-ID: ${bounce}`,
      'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"', '', '--r', 'Content-Type: text/plain', '', 'non recapitato', '--r--', '',
    ].join('\r\n');
    const results = await smtpSendAll(smtp, [
      await fromAsti({ subject: 'Fuori ufficio', text: 'Sono in ferie', messageId: auto, headers: { 'Auto-Submitted': 'auto-replied' } }),
      { from: '', to: ['assistenza@cst.demo'], raw: bounceRaw, client: 'raw' },
      { from: 'assistenza@cst.demo', to: ['assistenza@cst.demo'], raw: await composeMail({ from: 'assistenza@cst.demo', to: 'assistenza@cst.demo', subject: '[CST #1/2026] Aggiornamento', text: 'x', messageId: loop }) },
    ]);
    assert.deepEqual(results.map((r) => r.code), [250, 250, 250]);
    assert.equal((await oneInbound(loop)).state, 'discarded');
    assert.match((await oneInbound(loop)).reason!, /possibile ciclo/);
    const autoRow = await oneInbound(auto);
    assert.equal(autoRow.state, 'discarded');
    assert.match(autoRow.reason!, /Auto-Submitted: auto-replied/);
    const bounceRow = await oneInbound(bounce);
    assert.equal(bounceRow.state, 'discarded');
    const tickets = await t.platform.db.owner.selectFrom('ticket').select('id').where('subject', 'in', ['Fuori ufficio', 'Undelivered Mail Returned to Sender']).execute();
    assert.equal(tickets.length, 0);
  });

  it('refuses unknown mailboxes and unknown enti at RCPT time (550)', async () => {
    const raw = await composeMail({ from: 'admin@asti.demo', to: 'x@cst.demo', subject: 'x', text: 'x' });
    const [mailbox, ente] = await smtpSendAll(smtp, [
      { from: 'admin@asti.demo', to: ['vendite@cst.demo'], raw, client: 'raw' },
      { from: 'admin@asti.demo', to: ['assistenza+ente-inesistente@cst.demo'], raw, client: 'raw' },
    ]);
    assert.equal(mailbox!.code, 550);
    assert.equal(ente!.code, 550);
  });

  it('recovers messages whose processing never ran or stopped half way', async () => {
    const [fresh, halfway] = [newId('fresh'), newId('halfway')];
    await smtpSendAll(smtp, [await fromAsti({ subject: 'Mai elaborato', text: 'x', messageId: fresh }), await fromAsti({ subject: 'Interrotto', text: 'x', messageId: halfway })]);
    const old = new Date(Date.now() - 10 * 60_000);
    // pretend: the first was stored but never processed, the second crashed after a ticket was opened
    for (const [id, attempts] of [[fresh, 0], [halfway, 1]] as const) {
      await t.platform.db.owner.updateTable('inbound_mail').set({ state: 'received', reason: null, handled_at: null, handled_by: null, ticket_id: null, ticket_ente_id: null, ticket_label: null, attempts, received_at: old }).where('message_id', '=', id).execute();
    }
    assert.ok((await recoverStalled(t.platform)) >= 2);
    assert.equal((await oneInbound(fresh)).state, 'ticket_created');
    const stopped = await oneInbound(halfway);
    assert.equal(stopped.state, 'quarantined');
    assert.match(stopped.reason!, /Elaborazione interrotta/);
  });
});
