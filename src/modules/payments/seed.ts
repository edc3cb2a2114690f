// Demo pagoPA set-up: the CST (Provincia di Asti) is the broker; five comuni collect through it, each with its
// segregation code, bank (and for some postal) account, and a catalogue of what it collects. IBANs are built
// with valid check digits from demo bank codes; fiscal codes are the enti's (placeholders in the demo network).
import { systemActor } from '../../platform/audit/index.js';
import { addDays, todayInRome } from '../../platform/calendar/index.js';
import { withEnte } from '../../platform/db/index.js';
import { ibanChecksumValid, italianCinCheckChar } from '../../platform/identity/iban.js';
import type { Platform } from '../../platform/platform.js';
import { getCstEnte, getEnteBySlug } from '../../platform/tenancy/index.js';
import { createPosition } from './service.js';

/** An Italian IBAN with valid CIN and check digits for ABI/CAB/account. */
export function demoIban(abi: string, cab: string, account: string): string {
  const bban = `${abi}${cab}${account.padStart(12, '0')}`;
  const cin = italianCinCheckChar(bban);
  for (let check = 2; check <= 98; check++) {
    const iban = `IT${String(check).padStart(2, '0')}${cin}${bban}`;
    if (ibanChecksumValid(iban)) return iban;
  }
  throw new Error('unreachable: some check digits always fit');
}

export const DEMO_PAYMENT_ENTI = [
  { slug: 'asti', segregation: '01', postal: true, cbill: 'AST01' },
  { slug: 'canelli', segregation: '02', postal: false, cbill: 'CNL02' },
  { slug: 'nizza-monferrato', segregation: '03', postal: true, cbill: 'NZM03' },
  { slug: 'costigliole-d-asti', segregation: '04', postal: false, cbill: null },
  { slug: 'scurzolengo', segregation: '05', postal: false, cbill: null },
] as const;

/** What a comune collects: name, pagoPA taxonomy, the account it goes to, and whether citizens pay it on their own. */
export const DEMO_CATALOGUE = [
  { code: 'tari', name: 'TARI – Tassa sui rifiuti', taxonomy: '9/0101108TS/', iban: 'bank', spontaneous: false, fixed: null },
  { code: 'imu', name: 'IMU – Imposta municipale propria', taxonomy: '9/0101101IM/', iban: 'bank', spontaneous: false, fixed: null },
  { code: 'mensa', name: 'Mensa scolastica', taxonomy: '9/0201109SP/', iban: 'bank', spontaneous: false, fixed: null },
  { code: 'canone_unico', name: 'Canone unico patrimoniale (ex COSAP)', taxonomy: '9/0101103AP/', iban: 'bank', spontaneous: false, fixed: null },
  { code: 'diritti_segreteria', name: 'Diritti di segreteria', taxonomy: '9/0301104SE/', iban: 'bank', spontaneous: true, fixed: null },
  { code: 'cie', name: "Carta d'identità elettronica", taxonomy: '9/0301104SE/', iban: 'bank', spontaneous: true, fixed: 2221 },
  { code: 'sanzioni_cds', name: 'Sanzioni al Codice della strada', taxonomy: '9/0201102SA/', iban: 'postal', spontaneous: false, fixed: null },
] as const;

export async function seedDemoPayments(platform: Platform): Promise<void> {
  const db = platform.db.app;
  const cst = await getCstEnte(db);
  if (!cst?.fiscalCode) return;
  const brokerId = cst.fiscalCode;
  for (const [n, demo] of DEMO_PAYMENT_ENTI.entries()) {
    const ente = await getEnteBySlug(db, demo.slug);
    if (!ente?.fiscalCode) continue;
    await withEnte(db, ente.id, async (trx) => {
      await trx
        .insertInto('payment_config')
        .values({
          ente_id: ente.id,
          fiscal_code: ente.fiscalCode!,
          business_name: ente.name,
          segregation_code: demo.segregation,
          bank_iban: demoIban('03069', '10300', `${1000 + n}`),
          postal_iban: demo.postal ? demoIban('07601', '10300', `${2000 + n}`) : null,
          postal_account_holder: demo.postal ? ente.name.toUpperCase() : null,
          postal_auth_code: demo.postal ? 'AUT. 123/2024' : null,
          cbill_code: demo.cbill,
          broker_id: brokerId,
          station_id: `${brokerId}_01`,
          application_code: null,
          help_text: `Per informazioni: ufficio tributi del ${ente.name}`,
        })
        .execute();
      for (const item of DEMO_CATALOGUE) {
        if (item.iban === 'postal' && !demo.postal) continue;
        await trx
          .insertInto('payment_service')
          .values({ ente_id: ente.id, code: item.code, name: item.name, taxonomy: item.taxonomy, iban_kind: item.iban, spontaneous: item.spontaneous, fixed_amount_cents: item.fixed })
          .execute();
      }
    });
  }
  // A few positions of Asti: a TARI in three instalments with the TEFA share to the Provincia, a mensa fee.
  const asti = await getEnteBySlug(db, 'asti');
  if (!asti) return;
  const today = todayInRome();
  const tari = { serviceCode: 'tari', reason: 'TARI 2026 – utenza domestica', amountCents: 31_500 };
  await createPosition(db, systemActor, asti.id, {
    ...tari,
    externalRef: 'TARI-2026-000001',
    debtor: { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi', email: 'mario.rossi@example.it' },
    dueDate: addDays(today, 30),
    instalments: [
      { amountCents: 10_500, dueDate: addDays(today, 30) },
      { amountCents: 10_500, dueDate: addDays(today, 90) },
      { amountCents: 10_500, dueDate: addDays(today, 150) },
    ],
    transfers: [{ amountCents: 30_000 }, { amountCents: 1_500, beneficiaryFiscalCode: cst.fiscalCode, iban: demoIban('03069', '10300', '9000'), remittance: 'TEFA 2026' }],
  });
  await createPosition(db, systemActor, asti.id, {
    serviceCode: 'mensa',
    reason: 'Mensa scolastica – novembre',
    amountCents: 8_640,
    externalRef: 'MENSA-2026-11-0001',
    debtor: { fiscalCode: 'BNCGLI85C55A479Q', name: 'Giulia Bianchi', email: 'giulia.bianchi@example.it' },
    dueDate: addDays(today, 20),
  });
}
