// Receipts for people and the development PSP simulator, against real PostgreSQL with the node played by a
// separate process: the receipt PDF's content, who may download it (debtor and payer; not another citizen,
// another ente's staff or anonymous users), and the simulator paying through our SOAP endpoint over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { extractText, getDocumentProxy } from 'unpdf';
import { login, type Browser } from '../../../../test/support/http.js';
import { GIULIA, MARIO, startNodeFixture, type NodeFixture } from '../../../../test/support/psp-fixture.js';
import { createSession } from '../../../platform/auth/sessions.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import type { PositionView } from '../service.js';
import { checkoutUrl } from './index.js';

async function pdfText(bytes: Buffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

describe('payments node: receipts for people and the PSP simulator', () => {
  let f: NodeFixture;
  const fx = () => f;
  before(async () => {
    f = await startNodeFixture();
  });
  after(async () => {
    await f?.close();
  });

  describe('receipts for people', () => {
    let receiptRowId: string;
    let p: PositionView;
    let asti: Browser;
    const citizen = async (fiscalCode: string, name: string) => {
      const [givenName, familyName] = name.split(' ') as [string, string];
      const session = await createSession(fx().t.platform.db.app, { kind: 'citizen', citizen: { fiscalCode, givenName, familyName, provider: 'dev' } }, 30);
      return `cir_sid=${session.token}`;
    };
    const get = (url: string, cookie?: string) => fx().t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });

    before(async () => {
      p = await fx().create({ amountCents: 123_456, reason: 'Canone unico 2026 – passo carrabile' });
      await fx().node.send({ kind: 'sendRTV2', station: fx().station, receipt: { ...fx().receiptFor(p, 0, 'RT-pdf-1'), paymentDateTime: '2026-12-31T23:30:00' } });
      receiptRowId = (await fx().t.platform.db.owner.selectFrom('payment_receipt').select('id').where('receipt_id', '=', 'RT-pdf-1').executeTakeFirstOrThrow()).id;
      asti = await login(fx().t.app, 'admin@asti.demo');
    });

    it('gives staff of the ente a PDF with ente, debtor, payer, grouped notice number, IUV, amount, PSP, Rome time, transfers', async () => {
      const res = await get(`/backoffice/enti/asti/pagamenti/ricevute/${receiptRowId}.pdf`, asti.cookie);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      const text = await pdfText(res.rawPayload);
      const o = p.options[0]!;
      for (const expected of [fx().companyName, 'Ricevuta di pagamento pagoPA', `${MARIO.name} (${MARIO.fiscalCode})`, `${GIULIA.name} (${GIULIA.fiscalCode})`, o.noticeNumber.replace(/(.{4})/g, '$1 ').trim(), o.iuv, '1.234,56 €', 'Banca di Prova (TSTPSP01)', '31/12/2026 23:30', 'RT-pdf-1', 'IBAN', 'Canone unico 2026']) {
        assert.ok(text.includes(expected), `PDF lacks "${expected}": ${text}`);
      }
    });

    it('gives the debtor and the payer their receipt; another citizen, another ente or an unknown id gets 404', async () => {
      const path = `/asti/pagamenti/ricevute/${receiptRowId}.pdf`;
      assert.equal((await get(path, await citizen(MARIO.fiscalCode, MARIO.name))).statusCode, 200);
      assert.equal((await get(path, await citizen(GIULIA.fiscalCode, GIULIA.name))).statusCode, 200, 'the payer');
      const other = await citizen('VRDLGU75E15A479D', 'Luigi Verdi');
      const denied = await get(path, other);
      assert.equal(denied.statusCode, 404);
      assert.doesNotMatch(denied.body, /Rossi|RSSMRA/);
      assert.equal((await get(`/canelli/pagamenti/ricevute/${receiptRowId}.pdf`, await citizen(MARIO.fiscalCode, MARIO.name))).statusCode, 404);
      assert.equal((await get('/asti/pagamenti/ricevute/00000000-0000-4000-8000-000000000000.pdf', await citizen(MARIO.fiscalCode, MARIO.name))).statusCode, 404);
      assert.equal((await get('/asti/pagamenti/ricevute/not-a-uuid.pdf', await citizen(MARIO.fiscalCode, MARIO.name))).statusCode, 404);
      const anonymous = await get(path);
      assert.equal(anonymous.statusCode, 303);
      assert.match(String(anonymous.headers.location), /^\/auth\/citizen\/login\?next=/);
    });

    it('refuses staff of other enti (403, audited, nothing leaked) and sends anonymous staff to login', async () => {
      const path = `/backoffice/enti/asti/pagamenti/ricevute/${receiptRowId}.pdf`;
      for (const email of ['segreteria@canelli.demo', 'operatore@nizza-monferrato.demo']) {
        const other = await login(fx().t.app, email);
        const res = await get(path, other.cookie);
        assert.equal(res.statusCode, 403, email);
        assert.doesNotMatch(res.body, /Rossi|RSSMRA|%PDF/);
        const audited = await fx().t.platform.db.owner.selectFrom('audit_log').select('action').where('ente_id', '=', fx().enteId).where('action', '=', 'access.denied').where('actor_label', '=', email).execute();
        assert.ok(audited.length >= 1, `${email} denial audited`);
      }
      // Staff of Canelli with payments.read there still cannot read Asti's receipt through Canelli's URL.
      const canelli = (await getEnteBySlug(fx().t.platform.db.app, 'canelli'))!;
      const user = await fx().t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', 'segreteria@canelli.demo').executeTakeFirstOrThrow();
      await fx().t.platform.db.owner.insertInto('role_grant').values({ ente_id: canelli.id, user_id: user.id, role: 'operator', module: 'payments' }).execute();
      const canelliStaff = await login(fx().t.app, 'segreteria@canelli.demo');
      assert.equal((await get(`/backoffice/enti/canelli/pagamenti/ricevute/${receiptRowId}.pdf`, canelliStaff.cookie)).statusCode, 404);
      assert.equal((await get(path, canelliStaff.cookie)).statusCode, 403);
      const anonymous = await get(path);
      assert.equal(anonymous.statusCode, 303);
      assert.match(String(anonymous.headers.location), /^\/backoffice\/login/);
    });
  });

  describe('development PSP simulator', () => {
    it('is the checkout link in development and absent in production', () => {
      const url = checkoutUrl(fx().t.platform, { enteFiscalCode: fx().station.idPA, noticeNumber: '301000000000012373', returnUrl: '/asti/pagamenti' });
      assert.equal(url, `/dev-psp/checkout?ente=${fx().station.idPA}&notice=301000000000012373&return=%2Fasti%2Fpagamenti`);
      assert.equal(checkoutUrl({ config: { ...fx().t.platform.config, devIdp: false } }, { enteFiscalCode: fx().station.idPA, noticeNumber: '301000000000012373', returnUrl: '/x' }), null);
    });

    it('shows the amount, pays through our SOAP endpoint over HTTP and returns with the outcome', async () => {
      const p = await fx().create({ amountCents: 4_250, reason: 'Diritti di segreteria – certificato' });
      const o = p.options[0]!;
      const url = checkoutUrl(fx().t.platform, { enteFiscalCode: fx().station.idPA, noticeNumber: o.noticeNumber, returnUrl: '/asti/pagamenti?da=checkout' })!;
      const page = await fetch(`${fx().t.url}${url}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /42,50 €/);
      assert.match(html, /Diritti di segreteria – certificato/);
      const csrf = html.match(/name="_csrf" value="([^"]+)"/)![1]!;
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const pay = await fetch(`${fx().t.url}/dev-psp/checkout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, ente: fx().station.idPA, notice: o.noticeNumber, return: '/asti/pagamenti?da=checkout' }).toString(),
      });
      assert.equal(pay.status, 303);
      assert.equal(pay.headers.get('location'), '/asti/pagamenti?da=checkout&esito=OK');
      const receipt = await fx().t.platform.db.owner.selectFrom('payment_receipt').selectAll().where('notice_number', '=', o.noticeNumber).executeTakeFirstOrThrow();
      assert.equal(receipt.psp_id, 'CIRDEVPSP');
      assert.equal(Number(receipt.amount_cents), 4_250);
      const raw = await fx().t.platform.db.owner.selectFrom('stored_file').select('sha256').where('sha256', '=', receipt.raw_sha256).executeTakeFirst();
      assert.ok(raw);
      // Paying again: the node says it is paid, the citizen comes back with KO and the reason.
      const again = await fetch(`${fx().t.url}/dev-psp/checkout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ente: fx().station.idPA, notice: o.noticeNumber, return: '/asti/pagamenti' }).toString() });
      assert.equal(again.headers.get('location'), '/asti/pagamenti?esito=KO&codice=PAA_PAGAMENTO_DUPLICATO');
      const paidPage = await (await fetch(`${fx().t.url}${url}`)).text();
      assert.match(paidPage, /non può essere pagato/);
    });

    it('refuses a return URL off the platform and a malformed link with 400', async () => {
      for (const ret of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
        const res = await fetch(`${fx().t.url}/dev-psp/checkout?ente=${fx().station.idPA}&notice=301000000000012373&return=${encodeURIComponent(ret)}`);
        assert.equal(res.status, 400, ret);
      }
      assert.equal((await fetch(`${fx().t.url}/dev-psp/checkout?ente=abc&notice=1&return=/`)).status, 400);
    });
  });
});
