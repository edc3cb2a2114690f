// JSON API of the reconciliation (/api/v1/payments/…): import of a reporting flow (the XML as the body), of
// treasury lines (one as JSON, or a bank statement as CSV), flows with their lines, anomalies and totals; the
// CST's totals and anomalies across enti. Staff only: payments.manage to import, payments.read to read.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, requirePermission } from '../../../platform/auth/index.js';
import type { App } from '../../../platform/http/app.js';
import { notFound, unprocessable } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { MAX_FDR_BYTES } from './fdr.js';
import { anomaliesIn, flowDetailIn, flowsIn, readScope, totalsIn } from './reads.js';
import { addTreasuryLines, importFlow } from './service.js';
import { MAX_STATEMENT_BYTES, parseStatement } from './treasury.js';
import { enteOf, requireNetworkReader, UUID } from './pages/common.js';
import { rangeOf } from './pages/reports.js';

const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) }, { additionalProperties: true });
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem };
const Slug = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }) });
const FlowParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }), id: Type.String({ maxLength: 40 }) });
const Range = Type.Object({ from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })) }, { additionalProperties: false });
const Imported = Type.Object({ id: Type.String(), created: Type.Boolean(), flowId: Type.String(), schemaVersions: Type.Array(Type.String()), status: Type.String(), anomalies: Type.Integer() });
const TreasuryResult = Type.Object({
  created: Type.Integer(),
  duplicates: Type.Integer(),
  linked: Type.Integer(),
  lineIds: Type.Array(Type.String()),
  rows: Type.Optional(Type.Array(Type.Object({ line: Type.Integer(), outcome: Type.String(), message: Type.Optional(Type.String()) }))),
});

async function enteFor(request: FastifyRequest, platform: Platform, slug: string, permission: 'payments.read' | 'payments.manage') {
  const ente = await enteOf(platform, slug);
  await requirePermission(request, platform.db.app, ente.id, permission);
  return ente;
}

export function registerReconciliationApi(app: App, platform: Platform) {
  const tags = ['payments'];
  // The flow is the body itself; a CSV statement likewise. Neither is a form type, so a browser cannot forge
  // them cross-site without a CORS preflight (never granted).
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: MAX_FDR_BYTES }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: MAX_STATEMENT_BYTES }, (_request, body, done) => done(null, body));

  app.post(
    '/api/v1/payments/enti/:slug/reporting-flows',
    {
      schema: {
        tags,
        summary: 'Importa un flusso di rendicontazione (FdR, XML FlussoRiversamento 1_0_4 o 1_0_5) e lo abbina a ricevute e tesoreria',
        description: "Corpo: il documento XML (Content-Type application/xml). DTD ed entità rifiutate (400); un documento non valido per gli schemi 422; un flusso destinato a un altro ente 422. Lo stesso flusso (identificativo e data/ora) importato di nuovo risponde 200 con created=false.",
        params: Slug,
        response: { 200: Imported, 201: Imported, ...errors },
      },
    },
    async (request, reply) => {
      const ente = await enteFor(request, platform, request.params.slug, 'payments.manage');
      if (!Buffer.isBuffer(request.body)) throw unprocessable('Il corpo deve essere il documento XML del flusso (Content-Type application/xml)');
      const result = await importFlow(platform, actorOf(request), ente.id, { bytes: request.body, name: `${request.params.slug}-fdr.xml` });
      const flow = await readScope(platform.db.app, { enteId: ente.id }, (trx) => trx.selectFrom('payment_fdr').select(['status', 'anomalies']).where('id', '=', result.id).executeTakeFirstOrThrow());
      return reply.status(result.created ? 201 : 200).send({ id: result.id, created: result.created, flowId: result.flow.flowId, schemaVersions: result.flow.schemaVersions, status: flow.status, anomalies: flow.anomalies });
    },
  );

  app.get(
    '/api/v1/payments/enti/:slug/reporting-flows',
    {
      schema: {
        tags,
        summary: "Flussi di rendicontazione dell'ente, dal più recente",
        params: Slug,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(Type.Object({}, { additionalProperties: true })) }), ...errors },
      },
    },
    async (request) => {
      const ente = await enteFor(request, platform, request.params.slug, 'payments.read');
      const page = await readScope(platform.db.app, { enteId: ente.id }, (trx) => flowsIn(trx, { limit: request.query.limit ?? 50, offset: request.query.offset ?? 0 }));
      return { total: page.total, items: page.items.map((f) => ({ id: f.id, flowId: f.flow_id, flowDateTime: f.flow_date_time.toISOString(), settlementDate: f.settlement_date, sender: f.sender_name ?? f.sender_code, payments: f.lines_count, totalCents: Number(f.declared_total_cents), status: f.status, anomalies: f.anomalies, treasuryLines: f.treasury_lines ?? 0 })) };
    },
  );

  app.get(
    '/api/v1/payments/enti/:slug/reporting-flows/:id',
    { schema: { tags, summary: 'Un flusso con le sue righe, il loro abbinamento alle ricevute e gli accrediti in tesoreria', params: FlowParams, response: { 200: Type.Object({}, { additionalProperties: true }), ...errors } } },
    async (request) => {
      const ente = await enteFor(request, platform, request.params.slug, 'payments.read');
      const detail = UUID.test(request.params.id) ? await readScope(platform.db.app, { enteId: ente.id }, (trx) => flowDetailIn(trx, request.params.id)) : undefined;
      if (!detail) throw notFound('Flusso di rendicontazione inesistente');
      const f = detail.flow;
      return {
        id: f.id,
        flowId: f.flow_id,
        flowDateTime: f.flow_date_time.toISOString(),
        settlementId: f.settlement_id,
        settlementDate: f.settlement_date,
        sender: { type: f.sender_type, code: f.sender_code, name: f.sender_name },
        receiver: { code: f.receiver_code, name: f.receiver_name },
        declaredCount: f.declared_count,
        declaredTotalCents: Number(f.declared_total_cents),
        schemaVersions: f.schema_versions,
        status: f.status,
        anomalies: f.anomalies,
        lines: detail.lines.map((l) => ({ idx: l.idx, iuv: l.iuv, iur: l.iur, transferIndex: l.transfer_index, amountCents: Number(l.amount_cents), outcomeCode: l.outcome_code, outcomeDate: l.outcome_date, match: l.match_status, expectedCents: l.expected_cents === null ? null : Number(l.expected_cents), serviceCode: l.service_code, receiptId: l.receipt_id })),
        treasury: detail.treasury.map((tl) => ({ id: tl.id, valueDate: tl.value_date, amountCents: Number(tl.amount_cents), remittance: tl.remittance, reference: tl.reference, match: tl.match_status })),
      };
    },
  );

  app.post(
    '/api/v1/payments/enti/:slug/treasury-lines',
    {
      schema: {
        tags,
        summary: 'Registra un accredito in tesoreria (causale /PUR/LGPE-RIVERSAMENTO/URI/<identificativo flusso>) e lo abbina al flusso',
        params: Slug,
        body: Type.Object(
          { valueDate: Type.String({ format: 'date' }), amountCents: Type.Integer({ minimum: 1, maximum: 99_999_999_999 }), remittance: Type.String({ minLength: 1, maxLength: 500 }), reference: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 201: TreasuryResult, 200: TreasuryResult, ...errors },
      },
    },
    async (request, reply) => {
      const ente = await enteFor(request, platform, request.params.slug, 'payments.manage');
      const b = request.body;
      const result = await addTreasuryLines(platform.db.app, actorOf(request), ente.id, [{ valueDate: b.valueDate, amountCents: b.amountCents, remittance: b.remittance, reference: b.reference ?? null }], 'api');
      return reply.status(result.created > 0 ? 201 : 200).send(result);
    },
  );

  app.post(
    '/api/v1/payments/enti/:slug/treasury-statements',
    {
      schema: {
        tags,
        summary: 'Importa un estratto conto CSV (data, importo, causale, riferimento): registra gli accrediti pagoPA e li abbina ai flussi',
        description: 'Corpo: il file CSV (Content-Type text/csv). Risponde con l’esito riga per riga; un estratto importato di nuovo non duplica le righe.',
        params: Slug,
        response: { 200: TreasuryResult, ...errors },
      },
    },
    async (request) => {
      const ente = await enteFor(request, platform, request.params.slug, 'payments.manage');
      if (!Buffer.isBuffer(request.body)) throw unprocessable('Il corpo deve essere il file CSV (Content-Type text/csv)');
      const parsed = parseStatement(request.body);
      if (parsed.error) throw unprocessable(parsed.error);
      const inputs = parsed.rows.flatMap((r) => (r.input ? [r.input] : []));
      const result = inputs.length > 0 ? await addTreasuryLines(platform.db.app, actorOf(request), ente.id, inputs, 'csv') : { created: 0, duplicates: 0, linked: 0, lineIds: [] };
      return { ...result, rows: parsed.rows.map((r) => ({ line: r.line, outcome: r.outcome, ...(r.message ? { message: r.message } : {}) })) };
    },
  );

  const AnomalyList = Type.Object({ total: Type.Integer(), items: Type.Array(Type.Object({}, { additionalProperties: true })) });
  const TotalList = Type.Object({ from: Type.String(), to: Type.String(), items: Type.Array(Type.Object({}, { additionalProperties: true })) });

  app.get(
    '/api/v1/payments/enti/:slug/reconciliation/anomalies',
    { schema: { tags, summary: "Anomalie della riconciliazione dell'ente (IUV sconosciuto, importo diverso, ricevuta mancante, tesoreria …)", params: Slug, response: { 200: AnomalyList, ...errors } } },
    async (request) => {
      const ente = await enteFor(request, platform, request.params.slug, 'payments.read');
      const items = await readScope(platform.db.app, { enteId: ente.id }, (trx) => anomaliesIn(trx));
      return { total: items.length, items };
    },
  );

  app.get(
    '/api/v1/payments/enti/:slug/reconciliation/totals',
    { schema: { tags, summary: "Totali per giorno e servizio dell'ente: ricevute, pagato, rendicontato, anomalie", params: Slug, querystring: Range, response: { 200: TotalList, ...errors } } },
    async (request) => {
      const ente = await enteFor(request, platform, request.params.slug, 'payments.read');
      const range = rangeOf({ dal: request.query.from, al: request.query.to });
      return { ...range, items: await readScope(platform.db.app, { enteId: ente.id }, (trx) => totalsIn(trx, range.from, range.to)) };
    },
  );

  app.get(
    '/api/v1/payments/reconciliation/anomalies',
    { schema: { tags, summary: 'Anomalie della riconciliazione di tutti gli enti (CST; lettura trasversale registrata)', response: { 200: AnomalyList, ...errors } } },
    async (request) => {
      await requireNetworkReader(request, platform);
      const items = await readScope(platform.db.app, { network: true, actor: actorOf(request), reason: 'anomalie della riconciliazione pagoPA (API)' }, (trx) => anomaliesIn(trx));
      return { total: items.length, items };
    },
  );

  app.get(
    '/api/v1/payments/reconciliation/totals',
    { schema: { tags, summary: 'Totali per ente, giorno e servizio di tutti gli enti (CST; lettura trasversale registrata)', querystring: Range, response: { 200: TotalList, ...errors } } },
    async (request) => {
      await requireNetworkReader(request, platform);
      const range = rangeOf({ dal: request.query.from, al: request.query.to });
      const items = await readScope(platform.db.app, { network: true, actor: actorOf(request), reason: `totali della riconciliazione pagoPA ${range.from}–${range.to} (API)` }, (trx) => totalsIn(trx, range.from, range.to));
      return { ...range, items };
    },
  );
}
