// Identity and access for every request: loads the session (staff or citizen), enforces CSRF on form posts,
// and registers login/logout for staff and OpenID Connect login for citizens.
import type { App } from '../http/app.js';
import type { Platform } from '../platform.js';
import { loadStaff, type StaffPrincipal } from './access.js';
import { assertCsrf, isFormPost } from './csrf.js';
import { registerLogin } from './login.js';
import { registerCitizenAuth } from './citizen.js';
import { SESSION_COOKIE, loadSession, type CitizenIdentity, type SessionRecord } from './sessions.js';

export { can, requirePermission, requireStaff, actorOf, grantedEnteIds, loadStaff, staffOfModule, type StaffPrincipal, type Grant } from './access.js';
export { csrfToken, assertCsrf } from './csrf.js';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.js';
export type { CitizenIdentity } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionRecord | null;
    staff: StaffPrincipal | null;
    citizen: CitizenIdentity | null;
  }
  interface FastifyContextConfig {
    /** 'manual': the route's handler calls assertCsrf itself where it applies. */
    csrf?: 'manual';
  }
}

export async function registerAuth(app: App, platform: Platform): Promise<void> {
  app.decorateRequest('session', null);
  app.decorateRequest('staff', null);
  app.decorateRequest('citizen', null);

  app.addHook('onRequest', async (request) => {
    // Static assets and probes need no identity: skip the session lookup there.
    if (request.url.startsWith('/assets/') || request.url === '/healthz' || request.url === '/metrics') return;
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await loadSession(platform.db.app, token, platform.config.sessionIdleMinutes);
    if (!session) return;
    if (session.kind === 'staff' && session.userId) {
      const staff = await loadStaff(platform.db.app, session.userId);
      if (!staff) return;
      request.staff = staff;
    } else if (session.kind === 'citizen') {
      request.citizen = session.citizen;
    }
    request.session = session;
  });

  app.addHook('preHandler', async (request) => {
    // A route with config.csrf 'manual' checks it itself (e.g. an RFC 8058 one-click POST authorised by its token).
    if (isFormPost(request) && !request.url.startsWith('/dev-idp/') && request.routeOptions.config.csrf !== 'manual') assertCsrf(request);
  });

  registerLogin(app, platform);
  await registerCitizenAuth(app, platform);
}
