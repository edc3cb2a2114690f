// Demo inbound mail: three messages the intake could not turn into tickets, so the desk's "Posta da smistare"
// has something to show (an unknown sender, a requester naming another ente, an out-of-office reply).
// Delivered through the same intake as real mail.
import type { Platform } from '../../../platform/platform.js';
import { receiveMail } from './intake.js';

const demo = [
  {
    from: 'Mario Rossi <mario.rossi@esempio.it>',
    to: 'assistenza@cst.demo',
    subject: 'Richiesta di accesso al portale',
    body: 'Buongiorno,\nsono un nuovo dipendente e non riesco ad accedere al portale dei servizi.\nGrazie.',
    extra: '',
    hoursAgo: 30,
  },
  {
    from: 'Giulia Rosso <segreteria@canelli.demo>',
    to: 'assistenza+asti@cst.demo',
    subject: 'Stampante del protocollo guasta',
    body: 'La stampante dell’ufficio protocollo non stampa da stamattina.',
    extra: '',
    hoursAgo: 5,
  },
  {
    from: 'Ufficio tributi <tributi@comune.asti.example>',
    to: 'assistenza@cst.demo',
    subject: 'Risposta automatica: fuori sede',
    body: 'Sono fuori sede fino a lunedì. Per urgenze contattare il centralino.',
    extra: 'Auto-Submitted: auto-replied\r\n',
    hoursAgo: 2,
  },
];

export async function seedDemoInbound(platform: Platform): Promise<void> {
  for (const [i, m] of demo.entries()) {
    const at = new Date(Date.now() - m.hoursAgo * 3_600_000);
    const raw = Buffer.from(
      `From: ${m.from}\r\nTo: ${m.to}\r\nSubject: ${m.subject}\r\nDate: ${at.toUTCString()}\r\nMessage-ID: <demo-${i + 1}@posta.demo>\r\n${m.extra}` +
        `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${m.body.replace(/\n/g, '\r\n')}\r\n`,
    );
    const envelopeFrom = /<([^>]+)>/.exec(m.from)![1]!;
    await receiveMail(platform, { raw, mailFrom: envelopeFrom, rcptTo: [m.to], remoteAddress: null, receivedAt: at });
  }
}
