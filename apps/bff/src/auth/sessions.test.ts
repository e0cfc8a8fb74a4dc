import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { TEST_PASSWORD, TEST_SECRET } from "../test/server.ts";
import { createSession, purgeExpiredSessions, readSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "./sessions.ts";

let t: TestDatabase;
let userId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  userId = (await createUser(t.db, { username: "alice", password: TEST_PASSWORD })).id;
});
afterAll(() => t.drop());

describe("sessions", () => {
  it("stores only a hash of the cookie token", async () => {
    const { token, sessionId } = await createSession(t.db, userId, {});
    const row = await t.db.session.findUniqueOrThrow({ where: { id: sessionId } });
    expect(row.id).not.toBe(token);
    expect(JSON.stringify(row)).not.toContain(token);
    expect((await readSession(t.db, token, TEST_SECRET))?.user.username).toBe("alice");
    expect(await readSession(t.db, `${token}x`, TEST_SECRET)).toBeNull();
    expect(await readSession(t.db, undefined, TEST_SECRET)).toBeNull();
  });

  it("ends after the idle timeout", async () => {
    const start = new Date("2026-01-01T00:00:00Z");
    const { token } = await createSession(t.db, userId, {}, start);
    expect(await readSession(t.db, token, TEST_SECRET, new Date(start.getTime() + SESSION_IDLE_MS - 1000))).not.toBeNull();
    // That read refreshed lastSeenAt, so the idle clock restarts from it.
    const later = new Date(start.getTime() + 2 * SESSION_IDLE_MS - 2000);
    expect(await readSession(t.db, token, TEST_SECRET, later)).not.toBeNull();
    expect(await readSession(t.db, token, TEST_SECRET, new Date(later.getTime() + SESSION_IDLE_MS + 1))).toBeNull();
  });

  it("ends at the absolute expiry even when in use", async () => {
    const start = new Date("2026-02-01T00:00:00Z");
    const { token } = await createSession(t.db, userId, {}, start);
    let now = start.getTime();
    while (now + SESSION_IDLE_MS / 2 < start.getTime() + SESSION_ABSOLUTE_MS) {
      now += SESSION_IDLE_MS / 2;
      expect(await readSession(t.db, token, TEST_SECRET, new Date(now))).not.toBeNull();
    }
    expect(await readSession(t.db, token, TEST_SECRET, new Date(start.getTime() + SESSION_ABSOLUTE_MS))).toBeNull();
  });

  it("ends when the user is disabled", async () => {
    const u = await createUser(t.db, { username: "carol", password: TEST_PASSWORD });
    const { token } = await createSession(t.db, u.id, {});
    await t.db.user.update({ where: { id: u.id }, data: { disabled: true } });
    expect(await readSession(t.db, token, TEST_SECRET)).toBeNull();
  });

  it("purges expired sessions", async () => {
    const old = new Date("2020-01-01T00:00:00Z");
    await createSession(t.db, userId, {}, old);
    expect(await purgeExpiredSessions(t.db)).toBeGreaterThan(0);
  });
});
