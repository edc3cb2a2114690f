// Server-side sessions: the cookie holds a random token; the database holds only its SHA-256, so a leaked
// database does not leak live sessions. No in-memory state: any process can serve any request.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/index.js';

export const SESSION_COOKIE = 'cir_sid';

export interface CitizenIdentity {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  /** Which identity system vouched for the citizen (spid, cie, dev). */
  provider: string;
}

export interface SessionRecord {
  tokenHash: string;
  kind: 'staff' | 'citizen';
  userId: string | null;
  citizen: CitizenIdentity | null;
  csrfToken: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(
  db: Kysely<DB>,
  data: { kind: 'staff'; userId: string } | { kind: 'citizen'; citizen: CitizenIdentity },
  idleMinutes: number,
): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db
    .insertInto('session')
    .values({
      token_hash: hashToken(token),
      kind: data.kind,
      user_id: data.kind === 'staff' ? data.userId : null,
      citizen: data.kind === 'citizen' ? JSON.stringify(data.citizen) : null,
      csrf_token: csrfToken,
      expires_at: new Date(Date.now() + idleMinutes * 60_000),
    })
    .execute();
  return { token, csrfToken };
}

/** Loads a live session and slides its expiry (at most once a minute, to spare writes). */
export async function loadSession(db: Kysely<DB>, token: string, idleMinutes: number): Promise<SessionRecord | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('session')
    .select(['token_hash', 'kind', 'user_id', 'citizen', 'csrf_token', 'last_seen_at', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row) return null;
  if (Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
    await db
      .updateTable('session')
      .set({ last_seen_at: new Date(), expires_at: new Date(Date.now() + idleMinutes * 60_000) })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
  return {
    tokenHash,
    kind: row.kind,
    userId: row.user_id,
    citizen: (row.citizen as CitizenIdentity | null) ?? null,
    csrfToken: row.csrf_token,
  };
}

export async function destroySession(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await db.deleteFrom('session').where('token_hash', '=', tokenHash).execute();
}

export async function purgeExpiredSessions(db: Kysely<DB>): Promise<number> {
  const result = await db.deleteFrom('session').where('expires_at', '<=', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
