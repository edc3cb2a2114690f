// What the payments-node tests share: a listening platform, the node peer process, Asti's station ids, and
// helpers that create positions and the receipts the node would send for them.
import { systemActor } from '../../src/platform/audit/index.js';
import { addDays, todayInRome } from '../../src/platform/calendar/index.js';
import { getEnteBySlug } from '../../src/platform/tenancy/index.js';
import { createPosition, type PositionInput, type PositionView } from '../../src/modules/payments/index.js';
import { PspNode, type ReceiptParams } from './psp-node.js';
import { startTestPlatform, type TestPlatform } from './platform.js';

export const MARIO = { fiscalCode: 'RSSMRA80A01A479L', name: 'Mario Rossi' };
export const GIULIA = { fiscalCode: 'BNCGLI85C55A479Q', name: 'Giulia Bianchi' };
export const decimal = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

export interface NodeFixture {
  t: TestPlatform;
  node: PspNode;
  enteId: string;
  station: { idPA: string; idBrokerPA: string; idStation: string };
  companyName: string;
  /** A published TARI position of Mario Rossi (with e-mail) due in 10 days, changed by `extra`. */
  create(extra?: Partial<PositionInput>, publish?: boolean): Promise<PositionView>;
  /** The receipt the node sends for an option (paid by Giulia Bianchi for the debtor). */
  receiptFor(p: PositionView, optionIndex?: number, receiptId?: string): ReceiptParams;
  close(): Promise<void>;
}

export async function startNodeFixture(): Promise<NodeFixture> {
  const t = await startTestPlatform({ listen: true });
  const node = PspNode.start(t.url);
  const enteId = (await getEnteBySlug(t.platform.db.app, 'asti'))!.id;
  const config = await t.platform.db.owner.selectFrom('payment_config').selectAll().where('ente_id', '=', enteId).executeTakeFirstOrThrow();
  let counter = 0;
  return {
    t,
    node,
    enteId,
    station: { idPA: config.fiscal_code, idBrokerPA: config.broker_id, idStation: config.station_id },
    companyName: config.business_name,
    create: async (extra = {}, publish = true) =>
      (await createPosition(t.platform.db.app, systemActor, enteId, {
        serviceCode: 'tari',
        reason: `Prova nodo ${++counter}`,
        amountCents: 12_345,
        dueDate: addDays(todayInRome(), 10),
        debtor: { fiscalCode: MARIO.fiscalCode, name: MARIO.name, email: 'mario.rossi@example.it' },
        ...extra,
      }, { publish })).position,
    receiptFor: (p, optionIndex = 0, receiptId = `RT-${++counter}`) => {
      const o = p.options[optionIndex]!;
      return {
        receiptId,
        noticeNumber: o.noticeNumber,
        creditorReferenceId: o.iuv,
        amount: decimal(o.amountCents),
        debtor: { fiscalCode: p.debtor.fiscalCode, name: p.debtor.name },
        payer: { fiscalCode: GIULIA.fiscalCode, name: GIULIA.name },
        transfers: o.transfers.map((tr) => ({ id: tr.idx, amount: decimal(tr.amountCents), fiscalCodePA: tr.beneficiaryFiscalCode, iban: tr.iban, remittance: tr.remittance, category: tr.taxonomy })),
      };
    },
    async close() {
      await node.close();
      await t.close();
    },
  };
}
