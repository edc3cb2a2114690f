// Citizen login with OpenID Connect (SPID/CIE federation in production; the development IdP in demo/tests).
import type { App } from '../http/app.js';
import type { Platform } from '../platform.js';

export async function registerCitizenAuth(_app: App, _platform: Platform): Promise<void> {
  // Implemented in a later step (OIDC relying party + development identity provider).
}
