// The HTTP kernel: probes, metrics, security headers, the problem+json error model and Italian error pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';

describe('HTTP kernel', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform({ seed: 'empty' });
  });
  after(() => t.close());

  it('answers the probes and exposes Prometheus metrics', async () => {
    assert.deepEqual((await t.app.inject('/healthz')).json(), { status: 'ok' });
    assert.deepEqual((await t.app.inject('/readyz')).json(), { status: 'ready' });
    await t.app.inject('/api/v1/nothing');
    const metrics = await t.app.inject('/metrics');
    assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
    assert.match(metrics.body, /http_request_duration_seconds_bucket\{.*status="404"/);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
  });

  it('sends security headers', async () => {
    const res = await t.app.inject('/healthz');
    assert.match(res.headers['content-security-policy'] as string, /default-src 'self'/);
    assert.match(res.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('API errors are problem+json, page errors are Italian pages', async () => {
    const api = await t.app.inject('/api/v1/nothing');
    assert.equal(api.statusCode, 404);
    assert.match(api.headers['content-type'] as string, /^application\/problem\+json/);
    assert.deepEqual(Object.keys(api.json()).sort(), ['detail', 'instance', 'status', 'title', 'type']);
    const page = await t.app.inject({ url: '/una/pagina/che/non/esiste', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 404);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /<html lang="it"/);
    assert.match(page.body, /Pagina non trovata/);
  });

  it('serves Bootstrap Italia from node_modules, not a CDN', async () => {
    const css = await t.app.inject('/assets/bootstrap-italia/css/bootstrap-italia.min.css');
    assert.equal(css.statusCode, 200);
    assert.match(css.headers['content-type'] as string, /text\/css/);
  });
});
