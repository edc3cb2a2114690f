// The help desk's pages as people use them (app.inject with a real session and CSRF): who sees which page
// (anonymous → login, another ente's staff → 403 audited, nothing leaked), the forms' Italian errors next to
// the fields with the values kept, the whole life of a phone call (intake → assign → reply → waiting → the
// ente replies → solved → the ente closes), internal notes and internal files never on the ente's page,
// attachments through the multipart forms, and merging two tickets by number.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, postForm, type Browser } from '../../../../test/support/http.js';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const call = (extra: Record<string, string> = {}) => ({
  ente: 'Canelli',
  callerName: 'Luca Bianchi',
  callerPhone: '0141 820111',
  callerEmail: '',
  channel: 'phone',
  category: 'posta_pec',
  urgency: '2',
  impact: '2',
  subject: 'La PEC non riceve messaggi',
  description: 'Da stamattina nessun messaggio in arrivo sulla casella istituzionale.',
  ...extra,
});

/** A multipart body as a browser sends it: the CSRF token first, then the fields, then the files. */
async function multipart(fields: Record<string, string>, files: { bytes: Buffer; name: string; type: string }[]) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append('allegati', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  const req = new Request('http://x', { method: 'POST', body: fd });
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

describe('help desk pages', () => {
  let t: TestPlatform;
  let cst: Browser;
  let tecnico: Browser;
  let canelli: Browser;
  let asti: Browser;

  const get = (who: Browser | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });
  const postFiles = async (who: Browser, url: string, fields: Record<string, string>, files: { bytes: Buffer; name: string; type: string }[]) => {
    const body = await multipart({ _csrf: who.csrf, ...fields }, files);
    return t.app.inject({ method: 'POST', url, headers: { cookie: who.cookie, 'content-type': body.contentType }, payload: body.payload });
  };
  const enteId = async (slug: string) => (await t.platform.db.owner.selectFrom('ente').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
  const userId = async (email: string) => (await t.platform.db.owner.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const stateOf = async (id: string) => (await t.platform.db.owner.selectFrom('ticket').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
  const denials = async (slug: string) =>
    Number((await t.platform.db.owner.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('ente_id', '=', await enteId(slug)).where('action', '=', 'access.denied').executeTakeFirstOrThrow()).n);

  /** Logs a call through the intake form; returns the desk's ticket path and the ticket id. */
  const intake = async (extra: Record<string, string> = {}) => {
    const res = await postForm(t.app, cst, '/backoffice/assistenza/nuovo', call(extra));
    assert.equal(res.statusCode, 303, res.body.slice(0, 3000));
    const location = String(res.headers.location);
    const id = location.match(new RegExp(`/backoffice/assistenza/ticket/([a-z0-9-]+)/(${UUID})\\?esito=aperto$`))?.[2] ?? assert.fail(location);
    return { path: location.split('?')[0]!, id };
  };

  before(async () => {
    t = await startTestPlatform();
    [cst, tecnico, canelli, asti] = await Promise.all([login(t.app, 'admin@cst.demo'), login(t.app, 'tecnico@cst.demo'), login(t.app, 'segreteria@canelli.demo'), login(t.app, 'admin@asti.demo')]);
  });
  after(() => t.close());

  it('sends anonymous visitors to the login page and back', async () => {
    for (const url of ['/backoffice/assistenza', '/backoffice/assistenza/nuovo', '/backoffice/enti/canelli/assistenza', '/backoffice/enti/canelli/assistenza/nuovo']) {
      const res = await get(null, url);
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, `/backoffice/login?next=${encodeURIComponent(url)}`);
    }
    const { id } = await intake();
    const res = await get(null, `/backoffice/enti/canelli/assistenza/ticket/${id}`);
    assert.equal(res.statusCode, 303);
  });

  it('shows the queue and the intake to the desk only; others get 403, audited on the CST', async () => {
    await intake({ subject: 'Stampante del protocollo bloccata' });
    for (const who of [cst, tecnico]) {
      const queue = await get(who, '/backoffice/assistenza');
      assert.equal(queue.statusCode, 200);
      assert.match(queue.body, /<h1>Coda del help desk<\/h1>/);
      assert.match(queue.body, /Stampante del protocollo bloccata/);
      assert.match(queue.body, /nei tempi|in scadenza|scaduto/);
      assert.equal((await get(who, '/backoffice/assistenza/nuovo')).statusCode, 200);
    }
    const before = await denials('provincia-di-asti');
    for (const url of ['/backoffice/assistenza', '/backoffice/assistenza/nuovo']) {
      const res = await get(canelli, url);
      assert.equal(res.statusCode, 403);
      assert.doesNotMatch(res.body, /Stampante del protocollo/);
    }
    assert.equal(await denials('provincia-di-asti'), before + 2);
    // filters: another ente, a priority, "mine"
    assert.doesNotMatch((await get(cst, '/backoffice/assistenza?ente=asti')).body, /Stampante del protocollo/);
    assert.match((await get(cst, '/backoffice/assistenza?priorita=P3&ente=canelli')).body, /Stampante del protocollo/);
    assert.doesNotMatch((await get(tecnico, '/backoffice/assistenza?assegnatario=miei')).body, /Stampante del protocollo bloccata/);
  });

  it('refuses an incomplete call in Italian next to each field and keeps what was typed', async () => {
    const res = await postForm(t.app, cst, '/backoffice/assistenza/nuovo', call({ ente: 'Comune che non esiste', category: '', subject: 'x', description: '' }));
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /id="ticket-ente-errore"[^>]*>Ente non trovato: scegli un nome dall’elenco/);
    assert.match(res.body, /id="ticket-categoria-errore"[^>]*>Scegli la categoria del problema/);
    assert.match(res.body, /id="ticket-oggetto-errore"[^>]*>L&#39;oggetto della segnalazione è obbligatorio|id="ticket-oggetto-errore"[^>]*>L'oggetto della segnalazione è obbligatorio/);
    assert.match(res.body, /id="ticket-descrizione-errore"/);
    assert.match(res.body, /value="Comune che non esiste"/);
    assert.match(res.body, /value="Luca Bianchi"/);
    assert.match(res.body, /href="#ticket-ente"/);
    // a rule of the service comes back next to its field
    const phone = await postForm(t.app, cst, '/backoffice/assistenza/nuovo', call({ callerPhone: '' }));
    assert.equal(phone.statusCode, 422);
    assert.match(phone.body, /id="ticket-telefono-errore"[^>]*>Per una chiamata il numero di telefono è obbligatorio/);
    assert.match(phone.body, /La PEC non riceve messaggi/);
  });

  it('runs a call from intake to the ente closing it', async () => {
    const { path, id } = await intake();
    const opened = await get(cst, `${path}?esito=aperto`);
    assert.match(opened.body, /Ticket \d+\/\d{4} aperto\./);
    assert.match(opened.body, /Luca Bianchi · 0141 820111/);
    assert.match(opened.body, /id="kb-panel-title"/, 'no knowledge-base panel on the desk page');

    // the state form offers only what the state machine allows from "new" (not "assigned" without anyone)
    assert.doesNotMatch(opened.body, /<option value="closed"/);
    assert.doesNotMatch(opened.body, /name="state"[^]*<option value="assigned"/);

    let res = await postForm(t.app, cst, `${path}/assegna`, { assigneeId: await userId('tecnico@cst.demo') });
    assert.equal(res.statusCode, 303);
    assert.equal(await stateOf(id), 'assigned');
    assert.match((await get(tecnico, '/backoffice/assistenza?assegnatario=miei')).body, new RegExp(id));

    res = await postForm(t.app, tecnico, `${path}/risposta`, { body: 'Ci può dire se il problema riguarda anche la posta ordinaria?' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${path}?esito=risposta`);
    res = await postForm(t.app, tecnico, `${path}/stato`, { state: 'waiting_ente', comment: '' });
    assert.equal(res.statusCode, 303);
    assert.equal(await stateOf(id), 'waiting_ente');
    assert.match((await get(cst, '/backoffice/assistenza?ente=canelli')).body, /in pausa \(attesa ente\)/);

    const entePage = `/backoffice/enti/canelli/assistenza/ticket/${id}`;
    const seen = await get(canelli, entePage);
    assert.equal(seen.statusCode, 200);
    assert.match(seen.body, /anche la posta ordinaria/);
    assert.match(seen.body, /il tempo di lavorazione riparte quando rispondi/);
    res = await postForm(t.app, canelli, `${entePage}/risposta`, { body: 'Solo la PEC, la posta ordinaria funziona.' });
    assert.equal(res.statusCode, 303);
    assert.equal(await stateOf(id), 'in_progress');
    assert.match((await get(cst, path)).body, /Solo la PEC, la posta ordinaria funziona/);

    res = await postForm(t.app, tecnico, `${path}/stato`, { state: 'solved', comment: 'Casella riconfigurata.' });
    assert.equal(res.statusCode, 303);
    const solved = await get(canelli, entePage);
    assert.match(solved.body, /Il problema è risolto\?/);
    assert.match(solved.body, /Casella riconfigurata\./);
    res = await postForm(t.app, canelli, `${entePage}/stato`, { state: 'closed' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${entePage}?esito=chiuso`);
    assert.equal(await stateOf(id), 'closed');
    const closed = await get(canelli, `${entePage}?esito=chiuso`);
    assert.match(closed.body, /Grazie: il ticket è chiuso\./);
    assert.doesNotMatch(closed.body, /action="[^"]*\/risposta"/);

    // the ente's list shows it; a state change the state machine refuses comes back as a message (409)
    assert.match((await get(canelli, '/backoffice/enti/canelli/assistenza?stato=closed')).body, new RegExp(id));
    const refused = await postForm(t.app, cst, `${path}/stato`, { state: 'solved' });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /id="stato-nuovo-errore"[^>]*>Un ticket chiuso non può passare a risolto/);
  });

  it('never shows internal notes or internal files on the ente page', async () => {
    const { path, id } = await intake({ subject: 'Anagrafe lenta' });
    await postForm(t.app, cst, `${path}/nota`, { body: 'Il fornitore ha un disservizio noto: NON dirlo al comune' });
    const internal = await postFiles(cst, `${path}/nota`, { body: 'Log del server' }, [{ bytes: Buffer.from('segreto'), name: 'log-interno.txt', type: 'text/plain' }]);
    assert.equal(internal.statusCode, 303, internal.body.slice(0, 2000));
    const reply = await postFiles(cst, `${path}/risposta`, { body: 'Le alleghiamo la guida.' }, [{ bytes: Buffer.from('%PDF-1.4 guida'), name: 'guida.pdf', type: 'application/pdf' }]);
    assert.equal(reply.statusCode, 303, reply.body.slice(0, 2000));

    const desk = (await get(cst, path)).body;
    assert.match(desk, /NON dirlo al comune/);
    assert.match(desk, /Nota interna: non visibile all’ente/);
    assert.match(desk, /log-interno\.txt/);
    assert.match(desk, /guida\.pdf/);

    const ente = await get(canelli, `/backoffice/enti/canelli/assistenza/ticket/${id}`);
    assert.equal(ente.statusCode, 200);
    assert.doesNotMatch(ente.body, /NON dirlo|Nota interna|log-interno|Log del server/);
    assert.match(ente.body, /Le alleghiamo la guida\./);
    const link = ente.body.match(/href="(\/api\/v1\/enti\/canelli\/tickets\/[^"]+\/attachments\/[^"]+)"/)?.[1] ?? assert.fail('no attachment link');
    const file = await get(canelli, link);
    assert.equal(file.statusCode, 200);
    assert.equal(file.body, '%PDF-1.4 guida');
  });

  it("shows another ente's staff a 403 page, audited, without the ticket's data", async () => {
    const { id } = await intake({ subject: 'Riservato: rete del municipio di Canelli' });
    const before = await denials('canelli');
    for (const url of ['/backoffice/enti/canelli/assistenza', '/backoffice/enti/canelli/assistenza/nuovo', `/backoffice/enti/canelli/assistenza/ticket/${id}`]) {
      const res = await get(asti, url);
      assert.equal(res.statusCode, 403, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.doesNotMatch(res.body, /Riservato: rete del municipio/);
    }
    const write = await postForm(t.app, asti, `/backoffice/enti/canelli/assistenza/ticket/${id}/risposta`, { body: 'intrusione' });
    assert.equal(write.statusCode, 403);
    assert.equal(await denials('canelli'), before + 4);
    // Canelli's ticket under Asti's slug: row-level security finds nothing
    assert.equal((await get(asti, `/backoffice/enti/asti/assistenza/ticket/${id}`)).statusCode, 404);
  });

  it("opens a web ticket from the ente's form, with errors in Italian and values kept", async () => {
    const base = '/backoffice/enti/canelli/assistenza';
    const page = await get(canelli, `${base}/nuovo`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /a nome di Giulia Rosso \(segreteria Canelli\)/);
    assert.match(page.body, /data-kb-inputs="ticket-oggetto ticket-descrizione"/, 'no knowledge-base suggestions on the form');
    const bad = await postFiles(canelli, `${base}/nuovo`, { category: 'software_tributi', urgency: '3', impact: '3', subject: 'Stampa F24', description: '' }, []);
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /id="ticket-descrizione-errore"[^>]*>La descrizione del problema è obbligatoria/);
    assert.match(bad.body, /value="Stampa F24"/);
    assert.match(bad.body, /<option value="software_tributi" selected/);
    const ok = await postFiles(canelli, `${base}/nuovo`, { category: 'software_tributi', urgency: '3', impact: '3', subject: 'Stampa F24', description: 'Il modello esce vuoto.' }, [
      { bytes: Buffer.from('schermata'), name: 'schermata.png', type: 'image/png' },
    ]);
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 2000));
    const location = String(ok.headers.location);
    assert.match(location, new RegExp(`^${base}/ticket/${UUID}\\?esito=aperto$`));
    const shown = await get(canelli, location);
    assert.match(shown.body, /Ticket \d+\/\d{4} aperto\./);
    assert.match(shown.body, /schermata\.png/);
    assert.match(shown.body, /web/);
    // the desk going to the ente's pages is sent to its own
    assert.equal((await get(cst, base)).headers.location, '/backoffice/assistenza?ente=canelli');
  });

  it('merges a duplicate into another ticket of the same ente by its number', async () => {
    const first = await intake({ subject: 'Wi-Fi della biblioteca assente' });
    const second = await intake({ subject: 'Wi-Fi biblioteca (doppione)' });
    const target = (await get(cst, first.path)).body.match(/<title>Ticket (\d+\/\d{4})/)?.[1] ?? assert.fail('no label');
    const bad = await postForm(t.app, cst, `${second.path}/unisci`, { target: '12-2026' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /id="unisci-numero-errore"[^>]*>Scrivi il numero nella forma numero\/anno/);
    assert.match(bad.body, /value="12-2026"/);
    const missing = await postForm(t.app, cst, `${second.path}/unisci`, { target: '99999/2020' });
    assert.equal(missing.statusCode, 422);
    assert.match(missing.body, /Nessun ticket 99999\/2020 per questo ente/);

    const res = await postForm(t.app, cst, `${second.path}/unisci`, { target });
    assert.equal(res.statusCode, 303);
    assert.match(String(res.headers.location), new RegExp(`^${first.path}\\?esito=unito&da=`));
    const merged = await get(cst, String(res.headers.location));
    assert.match(merged.body, /Il ticket \d+\/\d{4} è stato unito a questo\./);
    assert.match(merged.body, /Assorbito il ticket/);
    assert.equal(await stateOf(second.id), 'closed');
    const source = await get(cst, second.path);
    assert.match(source.body, /Questo ticket è stato unito a un altro/);
    assert.match(source.body, new RegExp(`href="${first.path}"`));
  });

  it('manages observers from the ticket page', async () => {
    const { path } = await intake();
    const bad = await postForm(t.app, cst, `${path}/osservatori`, { email: 'non-valida', name: 'Sindaco' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /id="osservatore-email-errore"[^>]*>Indirizzo e-mail non valido/);
    assert.match(bad.body, /value="Sindaco"/);
    assert.equal((await postForm(t.app, cst, `${path}/osservatori`, { email: 'sindaco@canelli.example', name: 'Sindaco' })).statusCode, 303);
    assert.match((await get(cst, path)).body, /Sindaco &lt;sindaco@canelli.example>/);
    assert.equal((await postForm(t.app, cst, `${path}/osservatori/rimuovi`, { email: 'sindaco@canelli.example' })).statusCode, 303);
    assert.match((await get(cst, `${path}?esito=osservatore-rimosso`)).body, /Osservatore rimosso\./);
  });
});
