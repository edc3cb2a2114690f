// For bench/run.ts: a real paVerifyPaymentNotice for a demo notice of Asti (the seed's TARI instalments of
// Mario Rossi are unpaid and due in 30–150 days, so verify answers OK with the whole lookup path).
import { withCrossEnteRead, type Database } from '../../../platform/db/index.js';
import { verifyRequestBody, type StationIds } from './requests.js';
import { SOAP_PATH } from './soap.js';

export { verifyRequestBody, SOAP_PATH };

/** What a benchmark needs to POST verifies for one ente: the station ids and the ente's unpaid notice numbers. */
export async function verifyBenchTarget(db: Database, enteSlug = 'asti'): Promise<{ ids: StationIds; noticeNumbers: string[]; headers: Record<string, string> }> {
  return withCrossEnteRead(db.app, async (trx) => {
    const config = await trx
      .selectFrom('payment_config as c')
      .innerJoin('ente as e', 'e.id', 'c.ente_id')
      .select(['c.ente_id', 'c.fiscal_code', 'c.broker_id', 'c.station_id'])
      .where('e.slug', '=', enteSlug)
      .executeTakeFirstOrThrow();
    const options = await trx
      .selectFrom('payment_option as o')
      .innerJoin('payment_position as p', (j) => j.onRef('p.ente_id', '=', 'o.ente_id').onRef('p.id', '=', 'o.position_id'))
      .select('o.notice_number')
      .where('o.ente_id', '=', config.ente_id)
      .where('o.status', '=', 'unpaid')
      .where('p.status', 'in', ['valid', 'partially_paid'])
      .orderBy('o.notice_number')
      .execute();
    return {
      ids: { idPA: config.fiscal_code, idBrokerPA: config.broker_id, idStation: config.station_id },
      noticeNumbers: options.map((o) => o.notice_number),
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'paVerifyPaymentNotice' },
    };
  });
}
