// The legal core of the albo: gapless per-ente per-year numbering under concurrency, year change in
// Europe/Rome, periods counted on the Rome calendar (DST, leap day), expiry decided on read, immutability in the
// database, annulment, correction, interruptions of service, refusals that consume no number.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { withEnte } from '../../platform/db/index.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { fiscalCodeCheckChar } from '../../platform/identity/codice-fiscale.js';
import { annul, createDraft, declareInterruption, publicDetail, publicFile, publicList, publish, staffDetail } from './service.js';
import { makePdf } from '../../../test/support/pdf.js';

const actor = { id: null, label: 'test' };


describe('albo pretorio: the legal core', () => {
  let t: TestPlatform;
  let pdf: Buffer;
  const ente = async (slug: string) => (await getEnteBySlug(t.platform.db.app, slug))!.id;
  const draft = async (enteId: string, extra: Partial<Parameters<typeof createDraft>[3]> = {}, file?: Buffer) =>
    (await createDraft(t.platform, actor, enteId, { actType: 'avviso', subject: 'Avviso di chiusura degli uffici comunali', office: 'Segreteria', ...extra }, [{ bytes: file ?? pdf, originalName: 'avviso.pdf' }])).id;
  const at = (iso: string) => new Date(iso);

  before(async () => {
    t = await startTestPlatform();
    pdf = await makePdf('Avviso: gli uffici comunali resteranno chiusi per la festa patronale.');
  });
  after(() => t.close());

  it('50 concurrent publications of one ente get 50 distinct consecutive numbers', async () => {
    const enteId = await ente('calosso');
    const drafts = await Promise.all(Array.from({ length: 50 }, () => draft(enteId)));
    const now = at('2026-06-10T08:00:00Z');
    const published = await Promise.all(drafts.map((id) => publish(t.platform, actor, enteId, id, { now })));
    const numbers = published.map((p) => p.register!.number).sort((a, b) => a - b);
    assert.deepEqual(numbers, Array.from({ length: 50 }, (_, i) => i + 1));
    assert.ok(published.every((p) => p.register!.year === 2026));
  });

  it('the same draft published five times at once gets one number and consumes no other', async () => {
    const enteId = await ente('cocconato');
    const id = await draft(enteId);
    const now = at('2026-06-10T08:00:00Z');
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => publish(t.platform, actor, enteId, id, { now })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const next = await publish(t.platform, actor, enteId, await draft(enteId), { now });
    assert.equal(next.register!.label, '2/2026');
  });

  it('restarts at 1 on 1 January, Rome time, and each ente has its own sequence', async () => {
    const a = await ente('aramengo');
    const b = await ente('azzano-d-asti');
    const lastOf2025 = await publish(t.platform, actor, a, await draft(a), { now: at('2025-12-31T22:59:59Z') }); // 23:59:59 in Rome
    const firstOf2026 = await publish(t.platform, actor, a, await draft(a), { now: at('2025-12-31T23:00:00Z') }); // 00:00 of 1 January in Rome
    assert.equal(lastOf2025.register!.label, '1/2025');
    assert.equal(lastOf2025.publishFrom, '2025-12-31');
    assert.equal(firstOf2026.register!.label, '1/2026');
    assert.equal(firstOf2026.publishFrom, '2026-01-01');
    const other = await publish(t.platform, actor, b, await draft(b), { now: at('2025-12-31T23:00:00Z') });
    assert.equal(other.register!.label, '1/2026');
  });

  it('counts the period on the Rome calendar: first day included, online until 23:59 of the last day', async () => {
    const enteId = await ente('bubbio');
    const act = await publish(t.platform, actor, enteId, await draft(enteId), { now: at('2026-03-01T07:00:00Z') });
    assert.deepEqual([act.publishFrom, act.publishTo, act.days], ['2026-03-01', '2026-03-15', 15]);
    assert.notEqual(await publicDetail(t.platform.db.app, enteId, act.id, at('2026-03-15T22:59:59Z')), 'gone');
    assert.equal(await publicDetail(t.platform.db.app, enteId, act.id, at('2026-03-15T23:00:00Z')), 'gone');
    // Across the change to summer time (29 March 2026): the last minute is 21:59 UTC.
    const dst = await publish(t.platform, actor, enteId, await draft(enteId), { now: at('2026-03-20T09:00:00Z') });
    assert.equal(dst.publishTo, '2026-04-03');
    assert.notEqual(await publicDetail(t.platform.db.app, enteId, dst.id, at('2026-04-03T21:59:59Z')), 'gone');
    assert.equal(await publicDetail(t.platform.db.app, enteId, dst.id, at('2026-04-03T22:00:00Z')), 'gone');
    // Leap day.
    const leap = await publish(t.platform, actor, enteId, await draft(enteId), { now: at('2028-02-15T09:00:00Z') });
    assert.equal(leap.publishTo, '2028-02-29');
  });

  it('expiry is decided on read: list, detail and file disappear with no job having run', async () => {
    const enteId = await ente('cassinasco');
    const act = await publish(t.platform, actor, enteId, await draft(enteId, { subject: 'Ordinanza di chiusura della strada provinciale' }), { now: at('2026-05-01T08:00:00Z') });
    const during = at('2026-05-10T08:00:00Z');
    const after = at('2026-05-16T08:00:00Z');
    assert.ok((await publicList(t.platform.db.app, enteId, { limit: 20, offset: 0 }, during)).items.some((i) => i.id === act.id));
    assert.ok(!(await publicList(t.platform.db.app, enteId, { limit: 20, offset: 0 }, after)).items.some((i) => i.id === act.id));
    const sha = act.documents[0]!.sha256;
    const file = await publicFile(t.platform, enteId, act.id, sha, during);
    assert.ok(file && file !== 'gone' && file.bytes.equals(pdf));
    assert.equal(await publicFile(t.platform, enteId, act.id, sha, after), 'gone');
    assert.equal(await publicDetail(t.platform.db.app, enteId, act.id, after), 'gone');
    // Before its start a scheduled act is not public either.
    const later = (await createDraft(t.platform, actor, enteId, { actType: 'avviso', subject: 'Avviso programmato', office: 'Segreteria', requestedStart: '2026-07-01' }, [{ bytes: pdf, originalName: 'a.pdf' }], { now: at('2026-06-01T08:00:00Z') })).id;
    const scheduled = await publish(t.platform, actor, enteId, later, { now: at('2026-06-01T08:00:00Z') });
    assert.equal(scheduled.publishFrom, '2026-07-01');
    assert.equal(await publicDetail(t.platform.db.app, enteId, scheduled.id, at('2026-06-15T08:00:00Z')), undefined);
  });

  it('another ente cannot reach an act by its id', async () => {
    const a = await ente('cessole');
    const b = await ente('loazzolo');
    const act = await publish(t.platform, actor, a, await draft(a), { now: new Date() });
    assert.notEqual(await publicDetail(t.platform.db.app, a, act.id), undefined);
    assert.equal(await publicDetail(t.platform.db.app, b, act.id), undefined);
    assert.equal(await staffDetail(t.platform.db.app, b, act.id), undefined);
    assert.equal(await publicFile(t.platform, b, act.id, act.documents[0]!.sha256), undefined);
  });

  it('refuses a shorter period, an earlier start and a non-PDF, creating nothing', async () => {
    const enteId = await ente('castel-boglione');
    await assert.rejects(draft(enteId, { actType: 'bando_concorso', days: 15 }), /almeno 30 giorni/);
    await assert.rejects(draft(enteId, { requestedStart: '2020-01-01' }), (err: Error & { status?: number }) => err.status === 422);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200)]);
    await assert.rejects(draft(enteId, {}, jpeg), (err: Error & { status?: number }) => err.status === 422 && /non è un PDF/.test(err.message));
    const count = await withEnte(t.platform.db.app, enteId, (trx) => trx.selectFrom('notice').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow());
    assert.equal(Number(count.n), 0);
  });

  it('asks for confirmation before publishing personal data, and consumes no number when it refuses', async () => {
    const enteId = await ente('cortazzone');
    const cf = `RSSMRA80A01A479${fiscalCodeCheckChar('RSSMRA80A01A479')}`;
    const risky = await makePdf(`Contributo concesso al sig. Mario Rossi, codice fiscale ${cf}, IBAN IT60X0542811101000000123456.`);
    const id = await draft(enteId, {}, risky);
    await assert.rejects(publish(t.platform, actor, enteId, id), (err: Error & { status?: number; extensions?: { findings?: unknown[] } }) => err.status === 422 && (err.extensions?.findings?.length ?? 0) >= 2);
    const clean = await publish(t.platform, actor, enteId, await draft(enteId));
    assert.equal(clean.register!.number, 1, 'the refused publication used no number');
    const confirmed = await publish(t.platform, actor, enteId, id, { confirmPrivacy: true });
    assert.equal(confirmed.register!.number, 2);
    assert.equal(confirmed.privacyConfirmedBy, 'test');
  });

  it('published acts are immutable in the database itself', async () => {
    const enteId = await ente('grana-monferrato');
    const act = await publish(t.platform, actor, enteId, await draft(enteId));
    const app = t.platform.db.app;
    await assert.rejects(withEnte(app, enteId, (trx) => trx.updateTable('notice').set({ subject: 'Oggetto cambiato' }).where('id', '=', act.id).execute()), /non può essere modificato/);
    await assert.rejects(withEnte(app, enteId, (trx) => trx.updateTable('notice').set({ publish_to: '2099-01-01' }).where('id', '=', act.id).execute()), /non può essere modificato/);
    await assert.rejects(withEnte(app, enteId, (trx) => trx.deleteFrom('notice').where('id', '=', act.id).execute()), /non può essere eliminato/);
    await assert.rejects(withEnte(app, enteId, (trx) => trx.deleteFrom('notice_document').where('notice_id', '=', act.id).execute()), /non possono essere modificati/);
    await assert.rejects(withEnte(app, enteId, (trx) => trx.updateTable('notice').set({ register_number: 99 }).where('id', '=', act.id).execute()), /non può essere modificato/);
    await assert.rejects(withEnte(app, enteId, (trx) => sql`update notice_register set last_number = 1`.execute(trx)), /avanza solo di un numero/);
    await assert.rejects(withEnte(app, enteId, (trx) => sql`delete from notice_register`.execute(trx)), /avanza solo di un numero/);
  });

  it('annulment keeps number and page; a correction links both ways', async () => {
    const enteId = await ente('montemagno-monferrato');
    const original = await publish(t.platform, actor, enteId, await draft(enteId, { subject: 'Determinazione di impegno di spesa per lavori stradali' }));
    await annul(t.platform, actor, enteId, original.id, 'Errore materiale nell\'importo');
    await assert.rejects(annul(t.platform, actor, enteId, original.id, 'Seconda volta'), /già stato annullato/);
    const correction = await publish(t.platform, actor, enteId, await draft(enteId, { subject: 'Rettifica: determinazione di impegno di spesa per lavori stradali', correctsId: original.id }));
    const annulled = await publicDetail(t.platform.db.app, enteId, original.id);
    assert.ok(annulled && annulled !== 'gone');
    assert.equal(annulled.register!.label, original.register!.label);
    assert.equal(annulled.annulment!.reason, "Errore materiale nell'importo");
    assert.deepEqual(annulled.correctedBy.map((c) => c.id), [correction.id]);
    assert.equal(correction.corrects!.id, original.id);
    assert.equal(correction.corrects!.label, original.register!.label);
    const search = await publicList(t.platform.db.app, enteId, { q: 'lavoro stradale', limit: 20, offset: 0 });
    assert.equal(search.total, 2, 'Italian stemming finds both');
  });

  it('an interruption of service extends the active acts by the Rome days it touched', async () => {
    const enteId = await ente('viarigi');
    const act = await publish(t.platform, actor, enteId, await draft(enteId), { now: at('2026-03-01T07:00:00Z') });
    const expiredBefore = await publish(t.platform, actor, enteId, await draft(enteId), { now: at('2026-01-10T07:00:00Z') });
    // 23:30 on 5 March to 00:30 on 6 March in Rome: two calendar days lost.
    const first = await declareInterruption(t.platform, actor, enteId, { startsAt: at('2026-03-05T22:30:00Z'), endsAt: at('2026-03-05T23:30:00Z'), reason: 'Guasto del server' }, at('2026-03-06T10:00:00Z'));
    assert.equal(first.extended, 1);
    const extended = await staffDetail(t.platform.db.app, enteId, act.id);
    assert.equal(extended!.extensionDays, 2);
    assert.equal(extended!.effectiveTo, '2026-03-17');
    assert.equal((await staffDetail(t.platform.db.app, enteId, expiredBefore.id))!.extensionDays, 0);
    assert.notEqual(await publicDetail(t.platform.db.app, enteId, act.id, at('2026-03-17T20:00:00Z')), 'gone');
    await assert.rejects(declareInterruption(t.platform, actor, enteId, { startsAt: at('2099-01-01T00:00:00Z'), endsAt: at('2099-01-02T00:00:00Z'), reason: 'Futuro' }), /già terminata/);
  });
});
