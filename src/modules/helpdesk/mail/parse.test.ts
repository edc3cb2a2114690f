// The pure pieces of reading a mail: our references and subject tag, the reply without its quote, the subject
// of a new ticket, the recipient's ente, and what marks a message as automatic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMail, replyText, subjectTag, ticketIdsIn } from './parse.js';
import { loadConfig } from '../../../platform/config/index.js';
import { mailboxOf, slugOfRecipient } from './resolve.js';
import { ticketSubject } from './tickets.js';

const ID = '0b9e7c1a-5f0e-4c61-9d5e-1f2a3b4c5d6e';

describe('reading a mail', () => {
  it('finds our ticket references and the subject tag', () => {
    assert.deepEqual(ticketIdsIn([`<ticket.${ID}.12@cir.example>`, `<ticket.${ID}@cir.example>`, '<x@y>', '<ticket.nope@x>']), [ID]);
    assert.deepEqual(subjectTag('Re: R: [CST #12/2026] Stampante'), { number: 12, year: 2026 });
    assert.equal(subjectTag('Re: [CST #12] Stampante'), null);
  });

  it('keeps the reply without the quoted message', () => {
    assert.equal(replyText('Grazie, ora funziona.\n\nOn Mon, 2 Mar 2026 at 10:00, Assistenza <a@b.c> wrote:\n> Riavviate'), 'Grazie, ora funziona.');
    assert.equal(replyText('Va bene\n-----Messaggio originale-----\nDa: x'), 'Va bene');
    assert.equal(replyText('Sopra\n> citato\n> ancora\n'), 'Sopra');
    assert.equal(replyText('> tutto citato'), '> tutto citato');
  });

  it('makes the subject of a new ticket', () => {
    assert.equal(ticketSubject('RE: Fwd: [CST #3/2026]  Rete   lenta'), 'Rete lenta');
    assert.equal(ticketSubject('ok'), 'Segnalazione via e-mail senza oggetto');
    assert.equal(ticketSubject('x'.repeat(400)).length, 300);
  });

  it('reads the ente from the recipient', () => {
    assert.equal(slugOfRecipient('Assistenza+Nizza-Monferrato@cst.example'), 'nizza-monferrato');
    assert.equal(slugOfRecipient('assistenza@cst.example'), null);
    assert.equal(slugOfRecipient('vendite@cst.example'), undefined);
    // the box follows HELPDESK_ADDRESS, the Reply-To of the notifications
    const box = mailboxOf({ config: loadConfig({ HELPDESK_ADDRESS: 'Helpdesk@cst.example' }) });
    assert.equal(box, 'helpdesk');
    assert.equal(slugOfRecipient('helpdesk+asti@cst.example', box), 'asti');
    assert.equal(slugOfRecipient('assistenza@cst.example', box), undefined);
    assert.equal(mailboxOf({ config: loadConfig({}) }), 'assistenza');
  });

  it('marks automatic messages', async () => {
    const mail = (headers: string, envelopeFrom: string | null = 'a@b.example') => parseMail(Buffer.from(`From: a@b.example\r\nSubject: x\r\n${headers}\r\nciao\r\n`), envelopeFrom);
    assert.equal((await mail('')).automatic, null);
    assert.equal((await mail('Auto-Submitted: no\r\n')).automatic, null);
    assert.match((await mail('Auto-Submitted: auto-replied\r\n')).automatic!, /Auto-Submitted/);
    assert.match((await mail('Precedence: bulk\r\n')).automatic!, /Precedence: bulk/);
    assert.match((await mail('X-Autoreply: yes\r\n')).automatic!, /X-Autoreply/);
    assert.match((await mail('', null)).automatic!, /busta vuoto/);
  });
});
