// Help desk notifications end to end: ticket changes through the service, the notification run, the kernel
// outbox, a real SMTP server in another process. Who gets what, what never leaves the desk, threading.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSendJobs } from '../../../test/support/smtp-outbox.js';
import { startSmtpPeer, type ReceivedMail, type SmtpPeer } from '../../../test/support/smtp-peer.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import type { Actor } from '../../platform/audit/index.js';
import { withEnte } from '../../platform/db/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { attachFiles } from './attachments.js';
import { addObserver, mergeTickets } from './collaboration.js';
import { deliverTicketNotifications } from './notify.js';
import { addNote, addReply, assign, changeState, openTicket, type OpenTicketInput } from './service.js';
import { surveyUrl } from './survey/link.js';

const DOMAIN = 'cir.example.it';
const ANAGRAFE = 'anagrafe@comune.canelli.example.it';
const SINDACO = 'sindaco@comune.canelli.example.it';
const CED_ASTI = 'ced@comune.asti.example.it';

const ticketInput = (extra: Partial<OpenTicketInput> = {}): OpenTicketInput => ({
  channel: 'web',
  callerName: 'Ufficio anagrafe',
  callerEmail: ANAGRAFE,
  category: 'hardware_stampanti',
  urgency: 2,
  impact: 2,
  subject: 'La stampante dei certificati non stampa',
  description: 'La stampante dello sportello anagrafe segnala un inceppamento continuo.',
  ...extra,
});

describe('help desk notifications', () => {
  let t: TestPlatform;
  let peer: SmtpPeer;
  let canelli: string;
  let asti: string;
  const staff: Record<'tecnico' | 'segreteria' | 'astiAdmin', Actor & { email: string }> = {} as never;

  before(async () => {
    peer = await startSmtpPeer();
    t = await startTestPlatform({ env: { SMTP_URL: peer.url, PUBLIC_URL: `https://${DOMAIN}`, MAIL_RETRY_SECONDS: '0' } });
    canelli = (await getEnteBySlug(t.platform.db.owner, 'canelli'))!.id;
    asti = (await getEnteBySlug(t.platform.db.owner, 'asti'))!.id;
    for (const [key, email] of [['tecnico', 'tecnico@cst.demo'], ['segreteria', 'segreteria@canelli.demo'], ['astiAdmin', 'admin@asti.demo']] as const) {
      const row = await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow();
      staff[key] = { id: row.id, label: email, email };
    }
  });
  after(async () => {
    await t?.close();
    await peer?.stop();
  });

  const db = () => t.platform.db.app;
  /** One notification run, then every mail it queued delivered to the peer; returns the mails new at the peer. */
  async function notifyAndDeliver(now?: Date): Promise<ReceivedMail[]> {
    const before = (await peer.messages()).length;
    await deliverTicketNotifications(t.platform, now ? { now } : {});
    await runSendJobs(t.platform);
    return (await peer.messages()).slice(before);
  }
  const to = (mails: ReceivedMail[]) => mails.flatMap((m) => m.rcptTo).sort();
  const about = (mails: ReceivedMail[], pattern: RegExp) => mails.filter((m) => pattern.test(m.text));

  it('the first run starts from now: the demo history is not mailed', async () => {
    const first = await deliverTicketNotifications(t.platform);
    assert.deepEqual(first, { mails: 0, started: true });
    const seeded = await t.platform.db.owner.selectFrom('ticket_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.ok(Number(seeded.n) > 0, 'the demo seed has ticket history');
    assert.equal((await notifyAndDeliver()).length, 0);
  });

  let ticketId: string;
  let label: string;

  it('mails the requester side on opening, assignment and a request for information — never internal notes', async () => {
    const ticket = await openTicket(db(), staff.segreteria, canelli, ticketInput(), { requesterId: staff.segreteria.id });
    ({ id: ticketId, label } = ticket);
    await addObserver(db(), staff.segreteria, canelli, ticketId, { email: SINDACO, name: 'Sindaco' });
    await assign(db(), staff.tecnico, canelli, ticketId, staff.tecnico.id!);
    await addNote(db(), staff.tecnico, canelli, ticketId, 'Nota interna: la password del router è SEGRETO123');
    await attachFiles(db(), t.platform.files, staff.tecnico, canelli, ticketId, [{ bytes: Buffer.from('riservato'), fileName: 'interno-riservato.txt', mediaType: 'text/plain' }], { public: false });
    await changeState(db(), staff.tecnico, canelli, ticketId, 'waiting_ente', { comment: 'Ci serve il numero di serie della stampante' });
    const astiTicket = await openTicket(db(), staff.astiAdmin, asti, ticketInput({ callerName: 'CED', callerEmail: CED_ASTI, subject: 'Rete lenta al CED' }), { requesterId: staff.astiAdmin.id });

    const mails = await notifyAndDeliver();
    const canelliMails = mails.filter((m) => m.subject === `[CST #${label}] La stampante dei certificati non stampa`);
    const astiMails = mails.filter((m) => m.subject === `[CST #${astiTicket.label}] Rete lenta al CED`);
    assert.equal(canelliMails.length + astiMails.length, mails.length, mails.map((m) => m.subject).join('; '));

    // Opening: the caller and the observer; not the requester who opened it (the author).
    const opened = about(canelliMails, /abbiamo ricevuto la richiesta/i);
    assert.deepEqual(to(opened), [ANAGRAFE, SINDACO]);
    assert.match(opened[0]!.text, new RegExp(`numero ${label.replace('/', '\\/')}`));
    assert.match(opened[0]!.text, /Priorità P3\. Prima risposta prevista entro il \d\d\/\d\d\/\d{4} alle \d\d:\d\d, risoluzione entro il/);
    assert.equal(opened[0]!.messageId, `<ticket.${ticketId}@${DOMAIN}>`);
    assert.equal(opened[0]!.inReplyTo, undefined);

    const assigned = about(canelliMails, /presa in carico da Marco Ferrero/);
    assert.deepEqual(to(assigned), [ANAGRAFE, 'segreteria@canelli.demo', SINDACO]);
    const waiting = about(canelliMails, /ci servono informazioni/);
    assert.deepEqual(to(waiting), [ANAGRAFE, 'segreteria@canelli.demo', SINDACO]);
    assert.match(waiting[0]!.text, /Nota: Ci serve il numero di serie della stampante/);
    assert.equal(canelliMails.length, 2 + 3 + 3);

    for (const mail of canelliMails) {
      assert.doesNotMatch(mail.raw, /SEGRETO123|interno-riservato/);
      assert.match(mail.text, new RegExp(`https://${DOMAIN}/backoffice/enti/canelli/assistenza/ticket/${ticketId}`));
      assert.equal(mail.parsed.replyTo?.value[0]?.address, `assistenza@${DOMAIN}`);
      assert.equal(mail.header('Auto-Submitted'), 'auto-generated');
      assert.match(mail.messageId ?? '', new RegExp(`^<ticket\\.${ticketId}(\\.\\d+)?@${DOMAIN.replace(/\./g, '\\.')}>$`));
      if (mail.messageId !== `<ticket.${ticketId}@${DOMAIN}>`) {
        assert.equal(mail.inReplyTo, `<ticket.${ticketId}@${DOMAIN}>`);
        assert.deepEqual(mail.references, [`<ticket.${ticketId}@${DOMAIN}>`]);
      }
    }
    // Another ente's ticket: its own people only.
    assert.deepEqual(to(astiMails), [CED_ASTI]);
    assert.ok(!to(canelliMails).includes(CED_ASTI) && !to(canelliMails).includes('admin@asti.demo'));
  });

  it('a requester reply goes to the technician; desk replies, attachments and the solution to the requester side', async () => {
    await addReply(db(), staff.segreteria, canelli, ticketId, 'Il numero di serie è ABC-123', { side: 'requester' });
    await addReply(db(), staff.tecnico, canelli, ticketId, 'Abbiamo sostituito il fusore: provate ora.');
    await attachFiles(db(), t.platform.files, staff.tecnico, canelli, ticketId, [{ bytes: Buffer.from('%PDF-1.4'), fileName: 'rapporto-intervento.pdf', mediaType: 'application/pdf' }], { public: true });
    await changeState(db(), staff.tecnico, canelli, ticketId, 'solved', { comment: 'Fusore sostituito' });
    const mails = await notifyAndDeliver();

    const fromRequester = about(mails, /Giulia Rosso \(segreteria Canelli\) ha scritto/);
    assert.deepEqual(to(fromRequester), ['tecnico@cst.demo']);
    assert.match(fromRequester[0]!.text, /Il numero di serie è ABC-123/);
    const reply = about(mails, /Marco Ferrero \(tecnico CST\) ha risposto/);
    assert.deepEqual(to(reply), [ANAGRAFE, 'segreteria@canelli.demo', SINDACO]);
    assert.match(reply[0]!.text, /Abbiamo sostituito il fusore/);
    assert.deepEqual(to(about(mails, /rapporto-intervento\.pdf/)), [ANAGRAFE, 'segreteria@canelli.demo', SINDACO]);
    const solved = about(mails, /è stata risolta/);
    assert.deepEqual(to(solved), [ANAGRAFE, 'segreteria@canelli.demo', SINDACO]);
    assert.ok(solved[0]!.text.includes(surveyUrl(t.platform, canelli, ticketId)));
    assert.equal(mails.length, 1 + 3 + 3 + 3);
    // The technician never gets his own changes; the in_progress step of the requester's reply is not news.
    assert.ok(!to(mails.filter((m) => m !== fromRequester[0])).includes('tecnico@cst.demo'));
  });

  it('a requester reopening tells the others and the technician', async () => {
    await changeState(db(), staff.segreteria, canelli, ticketId, 'reopened', { side: 'requester', comment: 'Stampa ancora a righe' });
    const mails = await notifyAndDeliver();
    assert.deepEqual(to(mails), [ANAGRAFE, SINDACO, 'tecnico@cst.demo']);
    assert.match(mails[0]!.text, /è stata riaperta[\s\S]*Stampa ancora a righe/);
  });

  it('a ticket from e-mail: the sender gets the acknowledgement; his e-mailed reply goes to the technician only', async () => {
    const sender = 'protocollo@comune.canelli.example.it';
    const intake: Actor = { id: null, label: 'posta in arrivo' };
    const ticket = await openTicket(db(), intake, canelli, ticketInput({ channel: 'email', callerName: 'Protocollo', callerEmail: sender, subject: 'PEC non ricevute' }));
    await assign(db(), staff.tecnico, canelli, ticket.id, staff.tecnico.id!);
    await addReply(db(), { id: null, label: `e-mail ${sender}` }, canelli, ticket.id, 'Aggiungo: anche ieri nessuna PEC.', { side: 'requester' });
    const mails = await notifyAndDeliver();
    assert.deepEqual(to(about(mails, /abbiamo ricevuto la richiesta/i)), [sender]);
    assert.deepEqual(to(about(mails, /protocollo@comune\.canelli\.example\.it ha scritto/)), ['tecnico@cst.demo']);
    assert.equal(mails.length, 3, 'acknowledgement, assignment, the reply to the technician');
  });

  it('running the delivery again sends nothing twice', async () => {
    const before = await peer.messages();
    const again = await deliverTicketNotifications(t.platform);
    assert.equal(again.mails, 0);
    assert.deepEqual(await runSendJobs(t.platform), []);
    assert.equal((await peer.messages()).length, before.length);
    // Every mail went out once: no Message-ID twice for the same recipient.
    const seen = new Set(before.map((m) => `${m.messageId} ${m.rcptTo.join(',')}`));
    assert.equal(seen.size, before.length);
  });

  let survivorId: string;

  it('a merge tells the merged ticket where it went and the surviving ticket what joined it', async () => {
    const duplicate = await openTicket(db(), staff.tecnico, canelli, ticketInput({ channel: 'phone', callerName: 'Ragioneria', callerPhone: '0141 820111', callerEmail: 'ragioneria@comune.canelli.example.it', subject: 'Stampante bloccata' }));
    const survivor = await openTicket(db(), staff.tecnico, canelli, ticketInput({ channel: 'phone', callerName: 'Tributi', callerPhone: '0141 820112', callerEmail: 'tributi@comune.canelli.example.it', subject: 'Stampanti ferme al primo piano' }));
    assert.deepEqual(to(await notifyAndDeliver()), ['ragioneria@comune.canelli.example.it', 'tributi@comune.canelli.example.it']);
    survivorId = survivor.id;
    await mergeTickets(db(), staff.tecnico, canelli, duplicate.id, survivor.id);
    const mails = await notifyAndDeliver();
    const merged = about(mails, /è stata unita alla richiesta/);
    assert.deepEqual(to(merged), ['ragioneria@comune.canelli.example.it']);
    assert.match(merged[0]!.text, new RegExp(`unita alla richiesta ${survivor.label.replace('/', '\\/')}`));
    assert.ok(merged[0]!.text.includes(`/assistenza/ticket/${survivor.id}`));
    const absorbed = about(mails, /è stata unita la richiesta/);
    assert.deepEqual(to(absorbed), ['tributi@comune.canelli.example.it']);
    assert.equal(mails.length, 2, 'the closing of the merged ticket is not a separate mail');
  });

  it('an event committed after a later one was notified is still notified (ids are not commit order)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((r) => (inserted = r));
    // A slow transaction takes an event id, then waits before committing.
    const slow = withEnte(db(), canelli, async (trx) => {
      await trx.insertInto('ticket_event').values({ ente_id: canelli, ticket_id: ticketId, kind: 'public_reply', body: 'Risposta lenta a committare', author_id: staff.tecnico.id, author_label: staff.tecnico.label, at: new Date(), from_state: null, to_state: null, assignee_id: null }).execute();
      inserted();
      await gate;
    });
    await insertedYet;
    // Another ticket (the slow one holds a key-share lock on its own ticket row).
    await addReply(db(), staff.tecnico, canelli, survivorId, 'Risposta veloce');
    const now = new Date();
    const first = await notifyAndDeliver(now);
    assert.deepEqual(to(about(first, /Risposta veloce/)), ['ragioneria@comune.canelli.example.it', 'tributi@comune.canelli.example.it']);
    assert.equal(first.length, 2);
    release();
    await slow;
    const second = await notifyAndDeliver(new Date(now.getTime() + 60_000));
    assert.equal(about(second, /Risposta lenta a committare/).length, 3);
    assert.equal(second.length, 3);

    // Minutes later the cursor settles past both; nothing is read or sent again.
    await notifyAndDeliver(new Date(now.getTime() + 3 * 60_000));
    assert.equal((await notifyAndDeliver(new Date(now.getTime() + 6 * 60_000))).length, 0);
    const cursor = await withEnte(db(), canelli, (trx) => trx.selectFrom('mail_cursor').select('position').where('stream', '=', 'helpdesk.notify').executeTakeFirstOrThrow());
    const last = await withEnte(db(), canelli, (trx) => trx.selectFrom('ticket_event').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow());
    assert.equal((cursor.position as { settled: number }).settled, Number(last.id));
  });

  it('acknowledges tickets across the new year (numbering restarts) with due times in Rome time across DST', async () => {
    const open = (subject: string, at: string) => openTicket(db(), staff.tecnico, canelli, ticketInput({ channel: 'phone', callerPhone: '0141 820113', callerEmail: 'ufficio.tecnico@comune.canelli.example.it', subject }), { now: new Date(at) });
    await open('Prima del cambio d’ora', '2026-03-27T15:00:00Z'); // Friday 16:00 CET; due Monday after the switch to CEST
    await open('Ultima della notte', '2026-12-31T22:30:00Z'); // 23:30 in Rome: still 2026
    const first2027 = await open('Prima dell’anno nuovo', '2026-12-31T23:30:00Z'); // 00:30 in Rome: 2027
    assert.equal(first2027.label, '1/2027');
    const mails = await notifyAndDeliver(new Date('2026-12-31T23:40:00Z'));
    const due = (subject: string) => mails.find((m) => m.subject.endsWith(subject))?.text.match(/Prima risposta prevista entro il ([^,]+),/)?.[1];
    assert.equal(due('Prima del cambio d’ora'), '30/03/2026 alle 11:00');
    assert.equal(due('Ultima della notte'), '04/01/2027 alle 12:30');
    assert.equal(due('Prima dell’anno nuovo'), '04/01/2027 alle 12:30');
    assert.ok(mails.some((m) => m.subject === '[CST #1/2027] Prima dell’anno nuovo'));
    assert.equal(mails.length, 3);
  });
});
