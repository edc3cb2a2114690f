// Albo notifications (issue 5 point 8), by e-mail through messaging's notify: the publishing comune's albo staff
// hear of a new request; whoever asked is told when it is published (register number, period) or rejected
// (reason), and once the period is over that the final referto is ready. The platform runs its workers and sends
// to a real SMTP server process. The notifications belong to the publishing ente, not to the requesting one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../test/support/pdf.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { startSmtpPeer, type SmtpPeer } from '../../../test/support/smtp-peer.js';
import type { Actor } from '../../platform/audit/index.js';
import { withEnte } from '../../platform/db/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { notifyFinishedPublications } from './request-notify.js';
import { acceptRequest, rejectRequest, requestPublication } from './requests.js';
import { publish } from './service.js';

const UNION = 'unione-dei-colli-divini-nel-cuore-del-monferrato';
const SEAT = 'scurzolengo';

describe('albo notifications of publication requests', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let smtp: SmtpPeer;
  let union: string;
  let seat: string;
  let requester: Actor;
  let disabledRequester: Actor;
  const operator: Actor = { id: null, label: 'Ufficio albo di Scurzolengo' };

  before(async () => {
    smtp = await startSmtpPeer();
    t = await startTestPlatform({ workers: true, env: { SMTP_URL: smtp.url, MAIL_RETRY_SECONDS: '1' } });
    union = (await getEnteBySlug(t.platform.db.app, UNION))!.id;
    seat = (await getEnteBySlug(t.platform.db.app, SEAT))!.id;
    const user = async (email: string, disabled = false) => {
      const row = await t.platform.db.owner.insertInto('staff_user').values({ email, display_name: 'Segreteria Unione', password_hash: 'x', disabled }).returning('id').executeTakeFirstOrThrow();
      return { id: row.id, label: 'Segreteria Unione' };
    };
    requester = await user('segreteria@unione-colli.test');
    disabledRequester = await user('ex.segreteria@unione-colli.test', true);
    const asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!.id;
    const grant = async (email: string, enteId: string, role: 'ente_admin' | 'operator', module = '', disabled = false) => {
      const { id } = await user(email, disabled);
      await t.platform.db.owner.insertInto('role_grant').values({ ente_id: enteId, user_id: id!, role, module }).execute();
    };
    await grant('albo@scurzolengo.test', seat, 'operator', 'noticeboard');
    await grant('sindaco@scurzolengo.test', seat, 'ente_admin');
    await grant('helpdesk@scurzolengo.test', seat, 'operator', 'helpdesk');
    await grant('ex.albo@scurzolengo.test', seat, 'operator', 'noticeboard', true);
    await grant('albo@asti.test', asti, 'operator', 'noticeboard');
  });
  after(async () => {
    await t?.close();
    await smtp?.stop();
  });

  const ask = async (subject: string, who: Actor = requester) =>
    requestPublication(t.platform, who, union, seat, { actType: 'deliberazione_consiglio', subject, office: "Segreteria dell'Unione" }, [{ bytes: await makePdf(subject), originalName: 'delibera.pdf' }]);
  const mailsTo = async (address: string) => (await smtp.messages()).filter((m) => m.rcptTo.includes(address));
  const notifications = (enteId: string, key: string) =>
    withEnte(t.platform.db.app, enteId, (trx) => trx.selectFrom('msg_message').select(['id', 'kind']).where('origin_module', '=', 'noticeboard').where('origin_key', '=', key).execute());

  it('received: the publishing comune\'s albo operators and administrators are told, nobody else', async () => {
    const id = await ask("Deliberazione del Consiglio dell'Unione: convenzione trasporto scolastico");
    const publishers = ['albo@scurzolengo.test', 'sindaco@scurzolengo.test'];
    await smtp.waitFor((all) => publishers.every((p) => all.some((m) => m.rcptTo.includes(p) && m.subject.includes('nuova richiesta'))), 30_000);
    const mail = (await mailsTo('albo@scurzolengo.test')).find((m) => m.subject.includes('nuova richiesta'))!;
    assert.match(mail.subject, /Unione dei Colli Divini/);
    assert.match(mail.text, /convenzione trasporto scolastico/);
    assert.ok(mail.text.includes(`/backoffice/enti/${SEAT}/albo/richieste`));
    const told = await withEnte(t.platform.db.app, seat, (trx) => trx.selectFrom('msg_message').select('origin_key').where('origin_module', '=', 'noticeboard').where('origin_key', 'like', `request:${id}:received:%`).execute());
    assert.equal(told.length, 2, 'the helpdesk operator, the disabled account and Asti\'s albo operator are not told');
    for (const other of ['helpdesk@scurzolengo.test', 'ex.albo@scurzolengo.test', 'albo@asti.test']) assert.equal((await mailsTo(other)).length, 0, other);
  });

  it('published: the requester gets the register number and the period, once; the union tenant holds nothing', async () => {
    const id = await ask("Deliberazione del Consiglio dell'Unione: rendiconto 2025");
    const draft = await acceptRequest(t.platform, operator, seat, id);
    const act = await publish(t.platform, operator, seat, draft);
    const [mail] = await smtp.waitFor((all) => all.some((m) => m.rcptTo.includes('segreteria@unione-colli.test') && m.subject.includes('rendiconto 2025')), 30_000).then(() => mailsTo('segreteria@unione-colli.test'));
    assert.ok(mail);
    assert.match(mail.subject, /pubblicato/);
    const body = mail.text.replace(/\s+/g, ' ');
    assert.ok(body.includes(`Numero di registro: ${act.register!.label}`), body);
    const [y, m, d] = act.publishFrom!.split('-');
    assert.ok(body.includes(`dal ${d}/${m}/${y} al `), body);
    assert.ok(body.includes('/backoffice/enti/' + UNION + '/albo/richieste'), 'links to the requests the union sent');
    assert.match(mail.header('from') ?? '', /Scurzolengo/, 'in the name of the publishing comune');

    assert.equal((await notifications(seat, `request:${id}:published`)).length, 1);
    assert.equal((await notifications(union, `request:${id}:published`)).length, 0, 'not in the requesting ente');
  });

  it('rejected: the requester gets the reason; a request by nobody in particular, or by a disabled account, tells no one', async () => {
    const id = await ask("Deliberazione del Consiglio dell'Unione: regolamento TARI");
    await rejectRequest(t.platform, operator, seat, id, 'Manca la firma digitale del segretario');
    await smtp.waitFor((all) => all.some((m) => m.rcptTo.includes('segreteria@unione-colli.test') && m.subject.includes('regolamento TARI')), 30_000);
    const mail = (await mailsTo('segreteria@unione-colli.test')).find((m) => m.subject.includes('regolamento TARI'))!;
    assert.match(mail.subject, /non accolta/);
    assert.match(mail.text, /Motivo: Manca la firma digitale del segretario/);

    const bySystem = await ask('Atto della segreteria senza autore', { id: null, label: 'sistema' });
    await rejectRequest(t.platform, operator, seat, bySystem, 'Atto di prova da non pubblicare');
    const byDisabled = await ask('Atto di un account disattivato', disabledRequester);
    await rejectRequest(t.platform, operator, seat, byDisabled, 'Atto di prova da non pubblicare');
    assert.equal((await notifications(seat, `request:${bySystem}:rejected`)).length, 0);
    assert.equal((await notifications(seat, `request:${byDisabled}:rejected`)).length, 0);
    const rejected = await withEnte(t.platform.db.app, seat, (trx) => trx.selectFrom('notice_request').select('status').where('id', 'in', [bySystem, byDisabled]).execute());
    assert.deepEqual(rejected.map((r) => r.status), ['rejected', 'rejected'], 'the rejection itself stands');
  });

  it('referto: told on the days after the period ends (catching up a week at most), never while online, once', async () => {
    const id = await ask("Deliberazione del Consiglio dell'Unione: piano delle opere");
    const draft = await acceptRequest(t.platform, operator, seat, id);
    // Published on Monday 2 February 2026 for 15 days: online up to Monday 16 February.
    const act = await publish(t.platform, operator, seat, draft, { now: new Date('2026-02-02T09:00:00Z') });
    assert.equal(act.effectiveTo, '2026-02-16');
    const key = `request:${id}:referto`;

    await notifyFinishedPublications(t.platform, new Date('2026-02-16T22:59:00Z')); // 23:59 in Rome, last day online
    assert.equal((await notifications(seat, key)).length, 0, 'not while the act is online');
    await notifyFinishedPublications(t.platform, new Date('2026-02-24T23:30:00Z')); // 25 February in Rome: 9 days after
    assert.equal((await notifications(seat, key)).length, 0, 'beyond the catch-up week');
    await notifyFinishedPublications(t.platform, new Date('2026-02-16T23:00:00Z')); // midnight in Rome: 17 February
    await notifyFinishedPublications(t.platform, new Date('2026-02-18T06:30:00Z'));
    assert.equal((await notifications(seat, key)).length, 1, 'once, however many runs');

    await smtp.waitFor((all) => all.some((m) => m.rcptTo.includes('segreteria@unione-colli.test') && m.subject.includes('referto') && m.subject.includes('piano delle opere')), 30_000);
    const mail = (await mailsTo('segreteria@unione-colli.test')).find((m) => m.subject.includes('piano delle opere') && m.subject.includes('referto'))!;
    assert.match(mail.text.replace(/\s+/g, ' '), /è terminata il 16\/02\/2026/);
    const audit = await t.platform.db.owner.selectFrom('audit_log').select('after').where('action', '=', 'cross_ente.read').where('entity', '=', 'notice_request').execute();
    assert.ok(audit.length > 0, 'the cross-ente search is audited');
  });
});
