// The "Paga" button: where the citizen goes to pay one notice. In production that is the pagoPA checkout; in
// development and demo it is the PSP simulator of payments/node, which calls our SOAP endpoint as the node does
// (verify, getPayment, sendRT) and sends the citizen back to `returnPath` with ?esito=OK|KO. This file is the
// one integration point: the pages never build a checkout address themselves.
import type { Platform } from '../../../platform/platform.js';
import { checkoutUrl } from '../node/index.js';

/**
 * The address that pays `noticeNumber` of the ente and comes back to `returnPath` (a path of this platform);
 * null when paying online is not available (no checkout configured, or the ente has no pagoPA set-up).
 */
export function checkoutHref(platform: Platform, enteFiscalCode: string | null, noticeNumber: string, returnPath: string): string | null {
  if (!enteFiscalCode) return null;
  return checkoutUrl(platform, { enteFiscalCode, noticeNumber, returnUrl: returnPath });
}
