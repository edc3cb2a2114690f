// Receipt downloads: staff of the ente (payments.read) in the back office, and the citizen who is the debtor or
// the payer on the ente's portal. Another ente's staff gets 403 (audited); a citizen who is neither, or an
// unknown receipt, gets 404: nothing tells whether the receipt exists.
import type { App } from '../../../platform/http/app.js';
import { requirePermission } from '../../../platform/auth/index.js';
import { withEnte } from '../../../platform/db/index.js';
import { contentDisposition } from '../../../platform/http/download.js';
import { notFound } from '../../../platform/http/problem.js';
import type { Platform } from '../../../platform/platform.js';
import { getEnteBySlug } from '../../../platform/tenancy/index.js';
import { loadReceiptDocument, renderReceiptPdf, type ReceiptDocument } from './receipt-pdf.js';

export const staffReceiptPath = (slug: string, receiptRowId: string) => `/backoffice/enti/${slug}/pagamenti/ricevute/${receiptRowId}.pdf`;
export const citizenReceiptPath = (slug: string, receiptRowId: string) => `/${slug}/pagamenti/ricevute/${receiptRowId}.pdf`;

interface Params {
  slug: string;
  receiptId: string;
}

function sendPdf(reply: any, doc: ReceiptDocument, bytes: Buffer) {
  return reply
    .header('cache-control', 'private, no-store')
    .header('content-disposition', contentDisposition('inline', `ricevuta-${doc.receipt.iuv}.pdf`))
    .header('x-content-type-options', 'nosniff')
    .type('application/pdf')
    .send(bytes);
}

export function registerReceiptRoutes(app: App, platform: Platform): void {
  const db = platform.db.app;

  app.get<{ Params: Params }>('/backoffice/enti/:slug/pagamenti/ricevute/:receiptId.pdf', { schema: { hide: true } }, async (request, reply) => {
    if (!request.staff) return reply.redirect(`/backoffice/login?next=${encodeURIComponent(request.url)}`, 303);
    const ente = await getEnteBySlug(db, request.params.slug);
    if (!ente) throw notFound();
    await requirePermission(request, db, ente.id, 'payments.read');
    const doc = await withEnte(db, ente.id, (trx) => loadReceiptDocument(trx, request.params.receiptId));
    if (!doc) throw notFound('Ricevuta inesistente');
    return sendPdf(reply, doc, await renderReceiptPdf(doc));
  });

  app.get<{ Params: Params }>('/:slug/pagamenti/ricevute/:receiptId.pdf', { schema: { hide: true } }, async (request, reply) => {
    if (!request.citizen) return reply.redirect(`/auth/citizen/login?next=${encodeURIComponent(request.url)}`, 303);
    const ente = await getEnteBySlug(db, request.params.slug);
    if (!ente) throw notFound();
    const doc = await withEnte(db, ente.id, (trx) => loadReceiptDocument(trx, request.params.receiptId));
    const me = request.citizen.fiscalCode.toUpperCase();
    if (!doc || (doc.debtor.fiscalCode !== me && doc.receipt.payer_fiscal_code !== me)) throw notFound('Ricevuta inesistente');
    return sendPdf(reply, doc, await renderReceiptPdf(doc));
  });
}
