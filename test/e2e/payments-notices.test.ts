// Bulk notice generation in a real browser: the runs page (form, list), a run started from the form followed
// on its progress page (progress bar without JavaScript), the completed run with the ZIP of every notice, and
// the staff download of one notice. Every page: 0 axe-core WCAG 2.1 A/AA violations, no asset or script errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withEnte } from '../../src/platform/db/index.js';
import { getEnteBySlug } from '../../src/platform/tenancy/index.js';
import { processRun } from '../../src/modules/payments/notices/index.js';
import { assertAccessible, browserSuite, download, staffPage, visit } from './kit.js';

const BULK = '/backoffice/enti/asti/pagamenti/avvisi';

describe('notices of pagoPA (browser)', () => {
  const suite = browserSuite();

  it('starts a run from the form, follows it and downloads the ZIP and a notice', async () => {
    const { page, problems } = await staffPage(suite.pages, suite.t.url, 'admin@asti.demo');
    await visit(page, suite.t.url, BULK);
    await assertAccessible(page, 'bulk notices: runs');
    await page.selectOption('#avvisi-servizio', 'tari');
    await Promise.all([page.waitForURL(/\/pagamenti\/avvisi\/[0-9a-f-]{36}\?esito=started$/), page.click('button[type=submit]:has-text("Avvia")')]);
    assert.match((await page.locator('.alert-success').textContent()) ?? '', /Elaborazione avviata/);
    assert.equal(await page.locator('[role=progressbar]').getAttribute('aria-valuenow'), '0');
    await assertAccessible(page, 'bulk notices: run queued');

    // The worker (run here in the test process) finishes the run; the page shows it and offers the ZIP.
    const runId = page.url().match(/avvisi\/([0-9a-f-]{36})/)![1]!;
    const asti = (await getEnteBySlug(suite.t.platform.db.app, 'asti'))!;
    await processRun(suite.t.platform, { enteId: asti.id, runId });
    await visit(page, suite.t.url, `${BULK}/${runId}?auto=0`);
    assert.equal(await page.locator('[role=progressbar]').getAttribute('aria-valuenow'), '100');
    await assertAccessible(page, 'bulk notices: run completed');
    const zip = await download(page, 'a:has-text("ZIP")');
    assert.match(zip.name, /^avvisi-asti-tari\.zip$/);
    assert.equal(zip.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');

    const position = await withEnte(suite.t.platform.db.app, asti.id, (trx) => trx.selectFrom('payment_position').select('id').where('external_ref', '=', 'TARI-2026-000001').executeTakeFirstOrThrow());
    const response = await page.request.get(new URL(`/backoffice/enti/asti/pagamenti/posizioni/${position.id}/avviso.pdf`, suite.t.url).toString());
    assert.equal(response.status(), 200);
    assert.equal((await response.body()).subarray(0, 5).toString(), '%PDF-');
    // A download aborts the navigation that started it: that is not a load problem.
    assert.deepEqual(problems.filter((p) => !(p.includes('avvisi.zip') && p.endsWith('(net::ERR_ABORTED)'))), []);
  });
});
