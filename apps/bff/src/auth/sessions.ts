// Server-side sessions in the database, so every instance behind a load balancer
// shares them. The cookie holds a random token; only its SHA-256 is stored.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db, Tx } from "../db/client.ts";

export const SESSION_COOKIE = "keyhouse_session";
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000; // signed out after 12 hours without a request
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000; // and after 7 days whatever happens
// lastSeenAt is refreshed at most this often, so reads do not turn into writes
const TOUCH_EVERY_MS = 60 * 1000;

export type SessionUser = { id: number; username: string; displayName: string; email: string; role: "admin" | "user" };
export type ActiveSession = { id: string; user: SessionUser; csrfToken: string };

export function toSessionUser(u: { id: number; username: string; displayName: string; email: string; role: string }): SessionUser {
  return { id: u.id, username: u.username, displayName: u.displayName, email: u.email, role: u.role === "admin" ? "admin" : "user" };
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export function csrfTokenFor(sessionId: string, secret: string): string {
  return createHmac("sha256", secret).update(`csrf:${sessionId}`).digest("base64url");
}

export function csrfTokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function createSession(
  db: Db | Tx,
  userId: number,
  meta: { ip?: string; userAgent?: string },
  now = new Date(),
): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await db.session.create({
    data: { id: sha256(token), userId, createdAt: now, lastSeenAt: now, expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 512) },
  });
  return { token, sessionId: sha256(token), expiresAt };
}

/** The session for a cookie token, or null when it is unknown, expired, idle too long or its user is disabled. */
export async function readSession(db: Db, token: string | undefined, secret: string, now = new Date()): Promise<ActiveSession | null> {
  if (!token || token.length > 100) return null;
  const id = sha256(token);
  const row = await db.session.findUnique({ where: { id }, include: { user: true } });
  if (!row) return null;
  const idle = now.getTime() - row.lastSeenAt.getTime() > SESSION_IDLE_MS;
  if (row.expiresAt <= now || idle || row.user.disabled) {
    await db.session.deleteMany({ where: { id } });
    return null;
  }
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.session.updateMany({ where: { id }, data: { lastSeenAt: now } });
  }
  return { id, csrfToken: csrfTokenFor(id, secret), user: toSessionUser(row.user) };
}

export async function destroySession(db: Db, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}

/**
 * Ends every session of a user: called when the password changes or the user is
 * disabled, so that whoever held a session (perhaps with the old password) is out at once.
 */
export async function endSessionsOf(db: Db | Tx, userId: number): Promise<number> {
  const r = await db.session.deleteMany({ where: { userId } });
  return r.count;
}

export async function purgeExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const r = await db.session.deleteMany({
    where: { OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lte: new Date(now.getTime() - SESSION_IDLE_MS) } }] },
  });
  return r.count;
}
