import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../../test/database.ts";
import { callerFor, TEST_PASSWORD } from "../../test/server.ts";
import { adminProcedure, protectedProcedure, router, createCallerFactory } from "../init.ts";
import { z } from "zod";
import { outcome } from "../../test/outcome.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  await createUser(t.db, { username: "root", password: TEST_PASSWORD, role: "admin" });
  await createUser(t.db, { username: "gone", password: TEST_PASSWORD, disabled: true });
});
afterAll(() => t.drop());

describe("auth procedures", () => {
  it("me is null when signed out and the user when signed in", async () => {
    expect(await callerFor(t.db, null).auth.me()).toBeNull();
    const alice = await t.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    const me = await callerFor(t.db, alice).auth.me();
    expect(me?.user).toMatchObject({ username: "alice", role: "user" });
    expect(me?.csrfToken).toMatch(/^[\w-]{20,}$/);
  });

  it("login creates a session for the right password", async () => {
    const out = await callerFor(t.db, null, { ip: "198.51.100.1" }).auth.login({ username: "alice", password: TEST_PASSWORD });
    expect(out.user.username).toBe("alice");
    expect(await t.db.session.count({ where: { user: { username: "alice" } } })).toBeGreaterThan(0);
  });

  it("refuses a wrong password, an unknown user and a disabled user with one message", async () => {
    const c = callerFor(t.db, null, { ip: "198.51.100.2" });
    expect(await outcome(c.auth.login({ username: "alice", password: "nope" }))).toBe("UNAUTHORIZED: The user name or password is incorrect.");
    expect(await outcome(c.auth.login({ username: "nobody", password: "nope" }))).toBe("UNAUTHORIZED: The user name or password is incorrect.");
    expect(await outcome(c.auth.login({ username: "Alice", password: TEST_PASSWORD }))).toBe("UNAUTHORIZED: The user name or password is incorrect.");
    expect(await outcome(c.auth.login({ username: "gone", password: TEST_PASSWORD }))).toMatch(/^UNAUTHORIZED: This account is disabled/);
  });

  it("rejects empty input with the schema's message", async () => {
    const c = callerFor(t.db, null, { ip: "198.51.100.3" });
    expect(await outcome(c.auth.login({ username: "  ", password: "x" }))).toBe("BAD_REQUEST: Enter your user name.");
    expect(await outcome(c.auth.login({ username: "alice", password: "" }))).toBe("BAD_REQUEST: Enter your password.");
  });

  it("refuses mutations without a CSRF proof", async () => {
    const c = callerFor(t.db, null, { csrfOk: false });
    expect(await outcome(c.auth.login({ username: "alice", password: TEST_PASSWORD }))).toMatch(/^FORBIDDEN: This request did not come from the Keyhouse app/);
  });

  it("logout needs a session and removes it", async () => {
    expect(await outcome(callerFor(t.db, null).auth.logout())).toBe("UNAUTHORIZED: Sign in to continue.");
  });
});

describe("procedure guards", () => {
  const testRouter = router({
    mine: protectedProcedure
      .input(z.void())
      .output(z.string())
      .query(({ ctx }) => ctx.user.username),
    admin: adminProcedure
      .input(z.void())
      .output(z.string())
      .query(({ ctx }) => ctx.user.username),
  });
  const make = createCallerFactory(testRouter);

  it("protected procedures need a session, admin procedures the admin role", async () => {
    const alice = await t.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    const root = await t.db.user.findUniqueOrThrow({ where: { username: "root" } });
    const base = { db: t.db, config: {} as never, ip: "x", userAgent: undefined, csrfOk: true };
    const sess = (u: typeof alice) => ({
      id: "s",
      csrfToken: "c",
      user: { id: u.id, username: u.username, displayName: u.displayName, email: u.email, role: u.role as "admin" | "user" },
    });
    expect(await outcome(make({ ...base, session: null }).mine())).toBe("UNAUTHORIZED: Sign in to continue.");
    expect(await make({ ...base, session: sess(alice) }).mine()).toBe("alice");
    expect(await outcome(make({ ...base, session: sess(alice) }).admin())).toBe("FORBIDDEN: Only administrators can do this.");
    expect(await make({ ...base, session: sess(root) }).admin()).toBe("root");
  });
});
