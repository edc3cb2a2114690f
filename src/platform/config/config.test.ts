// Configuration from the environment: production defaults are the safe ones (no demo data, secure cookies, the
// real App IO), a demo or test never calls a public service it was not pointed at, and bad values fail at start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './index.js';

describe('configuration', () => {
  it('production: no demo seed nor development IdP, secure cookies, the real App IO', () => {
    const c = loadConfig({ NODE_ENV: 'production' });
    assert.equal(c.demoSeed, false);
    assert.equal(c.devIdp, false);
    assert.equal(c.secureCookies, true);
    assert.equal(c.appIoUrl, 'https://api.io.pagopa.it/api/v1');
  });

  it('outside production App IO is used only when APPIO_URL is set (then without a trailing slash)', () => {
    assert.equal(loadConfig({ NODE_ENV: 'development' }).appIoUrl, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'test', APPIO_URL: '' }).appIoUrl, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'test', APPIO_URL: 'http://127.0.0.1:4010/api/v1/' }).appIoUrl, 'http://127.0.0.1:4010/api/v1');
    assert.equal(loadConfig({ NODE_ENV: 'production', APPIO_URL: 'https://io.example.it/api/v1' }).appIoUrl, 'https://io.example.it/api/v1');
  });

  it('refuses malformed protocol addresses and numbers at start', () => {
    assert.throws(() => loadConfig({ SMPP_URL: 'http://smsc.example.it' }), ConfigError);
    assert.throws(() => loadConfig({ SMTP_URL: 'relay.example.it:25' }), ConfigError);
    assert.throws(() => loadConfig({ SMPP_RATE: 'veloce' }), ConfigError);
    assert.equal(loadConfig({ SMPP_URL: 'smpp://cst:segreta@smsc.example.it:2775' }).smppUrl, 'smpp://cst:segreta@smsc.example.it:2775');
  });
});
