// The development PSP simulator in a real browser: the checkout page of an Asti notice (amount, notice number,
// 0 axe-core WCAG 2.1 A/AA violations), "Paga" through our SOAP endpoint, back on the return page with
// esito=OK; the same link again shows that the notice cannot be paid (also checked with axe).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { closeBrowser, type Page } from '../support/browser.js';
import { systemActor } from '../../src/platform/audit/index.js';
import { addDays, todayInRome } from '../../src/platform/calendar/index.js';
import { getEnteBySlug } from '../../src/platform/tenancy/index.js';
import { createPosition } from '../../src/modules/payments/index.js';
import { checkoutUrl } from '../../src/modules/payments/node/index.js';
import { assertAccessible, freshPage, visit } from './kit.js';

describe('development PSP simulator in the browser', () => {
  let t: TestPlatform;
  const pages: Page[] = [];

  before(async () => {
    t = await startTestPlatform({ listen: true });
  });
  after(async () => {
    for (const page of pages) await page.close().catch(() => undefined);
    await closeBrowser();
    await t?.close();
  });

  it('shows the checkout, pays and comes back with the outcome; a paid notice cannot be paid again', async () => {
    const asti = (await getEnteBySlug(t.platform.db.app, 'asti'))!;
    const { position } = await createPosition(t.platform.db.app, systemActor, asti.id, {
      serviceCode: 'diritti_segreteria',
      reason: 'Diritti di segreteria – copia atti',
      amountCents: 1_650,
      dueDate: addDays(todayInRome(), 15),
      debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' },
    });
    const notice = position.options[0]!.noticeNumber;
    const url = checkoutUrl(t.platform, { enteFiscalCode: asti.fiscalCode!, noticeNumber: notice, returnUrl: '/asti/' })!;
    const { page, problems } = await freshPage(pages);
    await visit(page, t.url, url);
    assert.equal((await page.textContent('#amount'))?.trim(), '16,50 €');
    assert.equal((await page.textContent('#notice-number'))?.trim(), notice.replace(/(.{4})/g, '$1 ').trim());
    await assertAccessible(page, 'dev PSP checkout');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('esito') === 'OK'), page.click('button[type="submit"]')]);
    assert.equal(new URL(page.url()).pathname, '/asti/');
    const receipts = await t.platform.db.owner.selectFrom('payment_receipt').select('psp_id').where('notice_number', '=', notice).execute();
    assert.deepEqual(receipts.map((r) => r.psp_id), ['CIRDEVPSP']);

    await visit(page, t.url, url);
    assert.match((await page.textContent('[role="alert"]')) ?? '', /non può essere pagato/);
    await assertAccessible(page, 'dev PSP checkout, notice already paid');
    assert.deepEqual(problems, []);
  });
});
