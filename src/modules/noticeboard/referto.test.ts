// The referto: a draft while the act is online, final after its period, with period, extensions, hashes and
// annulment; the requesting union gets it back through its request, and nobody else does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { getEnteBySlug } from '../../platform/tenancy/index.js';
import { extractPdfText } from './documents.js';
import { certificateForRequester, certificatePdf } from './referto.js';
import { acceptRequest, requestPublication } from './requests.js';
import { annul, createDraft, declareInterruption, publish } from './service.js';
import { makePdf } from '../../../test/support/pdf.js';

const actor = { id: null, label: 'test' };

describe('referto di pubblicazione', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(() => t.close());
  const ente = async (slug: string) => (await getEnteBySlug(t.platform.db.app, slug))!.id;

  it('is a draft while online and final afterwards, with the facts a court needs', async () => {
    const enteId = await ente('castagnole-monferrato');
    const pdf = await makePdf('Ordinanza di divieto di transito.');
    const { id } = await createDraft(t.platform, actor, enteId, { actType: 'ordinanza', subject: 'Ordinanza di divieto di transito in via Roma', office: 'Polizia locale', actNumber: '12/2026' }, [{ bytes: pdf, originalName: 'ordinanza.pdf' }], { now: new Date('2026-02-02T09:00:00Z') });
    const act = await publish(t.platform, actor, enteId, id, { now: new Date('2026-02-02T09:00:00Z') });
    await declareInterruption(t.platform, actor, enteId, { startsAt: new Date('2026-02-05T08:00:00Z'), endsAt: new Date('2026-02-05T11:00:00Z'), reason: 'Manutenzione straordinaria non programmata' }, new Date('2026-02-06T08:00:00Z'));
    await annul(t.platform, actor, enteId, act.id, 'Atto sostituito da nuova ordinanza', new Date('2026-02-07T08:00:00Z'));

    const during = await certificatePdf(t.platform, enteId, act.id, new Date('2026-02-10T08:00:00Z'));
    assert.equal(during.draft, true);
    assert.match((await extractPdfText(during.pdf)).text, /BOZZA/);

    const final = await certificatePdf(t.platform, enteId, act.id, new Date('2026-03-01T08:00:00Z'));
    assert.equal(final.draft, false);
    const text = (await extractPdfText(final.pdf)).text.replace(/\s+/g, ' ');
    assert.doesNotMatch(text, /BOZZA/);
    assert.match(text, new RegExp(act.register!.label.replace('/', '\\s*/\\s*')));
    assert.match(text, /02\/02\/2026/);
    assert.match(text, /17\/02\/2026/, 'the end moved by the day lost to the interruption');
    assert.match(text, /ANNULLATO/);
    assert.ok(text.replace(/\s/g, '').includes(act.documents[0]!.sha256), 'the SHA-256 of the document is printed');
  });

  it('goes back to the union that asked for the publication, and to nobody else', async () => {
    const union = await ente('unione-dei-colli-divini-nel-cuore-del-monferrato');
    const seat = await ente('scurzolengo');
    const other = await ente('asti');
    const pdf = await makePdf("Deliberazione dell'Unione.");
    const requestId = await requestPublication(t.platform, actor, union, seat, { actType: 'deliberazione_consiglio', subject: "Deliberazione del Consiglio dell'Unione: bilancio", office: "Segreteria dell'Unione" }, [{ bytes: pdf, originalName: 'delibera.pdf' }]);
    const draftId = await acceptRequest(t.platform, actor, seat, requestId);
    const published = await publish(t.platform, actor, seat, draftId);
    assert.equal(published.requester!.enteId, union);
    const back = await certificateForRequester(t.platform, actor, union, requestId);
    assert.equal(back.draft, true);
    assert.match((await extractPdfText(back.pdf)).text, /Unione dei Colli Divini/);
    await assert.rejects(certificateForRequester(t.platform, actor, other, requestId), /Richiesta non trovata/);
  });
});
