// Demo data: topics and settings for every ente, an App IO service for Asti (the local App IO peer's key), and
// a few hundred subscribers spread over some comuni, with consent events as if they had subscribed on the page.
import { withEnte } from '../../platform/db/index.js';
import type { Platform } from '../../platform/platform.js';
import { prng } from '../../platform/prng.js';
import { ensureDefaults, DEFAULT_TOPICS } from './service.js';
import { subscribe } from './consent.js';

export const DEMO_CONSENT_TEXT = 'Acconsento a ricevere dal Comune avvisi sugli argomenti scelti, ai sensi del Regolamento (UE) 2016/679. Posso revocare il consenso in ogni momento.';
const DEMO_SUBSCRIBER_ENTI: Record<string, number> = { asti: 120, 'nizza-monferrato': 40, canelli: 30 };

export async function seedDemoMessaging(platform: Platform): Promise<void> {
  const enti = await platform.db.app.selectFrom('ente').select(['id', 'name', 'slug']).execute();
  for (const ente of enti) await withEnte(platform.db.app, ente.id, (trx) => ensureDefaults(trx, ente.id, ente.name));
  const random = prng(2026_11_23);
  for (const [slug, count] of Object.entries(DEMO_SUBSCRIBER_ENTI)) {
    const ente = enti.find((e) => e.slug === slug);
    if (!ente) continue;
    await withEnte(platform.db.app, ente.id, async (trx) => {
      if (slug === 'asti') await trx.insertInto('msg_appio_service').values({ ente_id: ente.id, topic_code: '*', service_id: 'DEMO-ASTI-AVVISI', api_key: 'demo-appio-key-asti' }).onConflict((oc) => oc.doNothing()).execute();
      if (slug === 'asti') {
        // Mario Rossi (demo citizen of the dev IdP) follows Asti with his fiscal code: App IO first, SMS otherwise.
        await subscribe(trx, ente.id, {
          phone: '+393331234567', phoneVerifiedAt: new Date(), email: 'mario.rossi@example.org', emailVerifiedAt: new Date(), fiscalCode: 'RSSMRA80A01A479L',
          topics: DEFAULT_TOPICS.map((t) => t.code), consentText: DEMO_CONSENT_TEXT, via: 'page', source: 'web',
        });
      }
      for (let i = 0; i < count; i++) {
        const verifiedAt = new Date(Date.now() - Math.floor(random() * 200) * 86_400_000);
        const topics = DEFAULT_TOPICS.filter((_, k) => k === 0 || random() < 0.5).map((t) => t.code);
        const withPhone = random() < 0.8;
        const withEmail = !withPhone || random() < 0.4;
        await subscribe(trx, ente.id, {
          phone: withPhone ? `+39333${String(1_000_000 + Math.floor(random() * 8_999_999)).padStart(7, '0')}` : null,
          phoneVerifiedAt: withPhone ? verifiedAt : null,
          email: withEmail ? `iscritto${i + 1}.${slug}@example.org` : null,
          emailVerifiedAt: withEmail ? verifiedAt : null,
          topics,
          consentText: DEMO_CONSENT_TEXT,
          via: 'page',
          source: 'web',
        });
      }
    });
  }
}
