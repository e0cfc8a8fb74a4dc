// The sign-in throttle through the real sign-in: real HTTP, a real database, real argon2.
// Password verifications are read from the counter in the code path (auth/passwords.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createUser } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { startServer, TEST_PASSWORD } from "../test/server.ts";
import { signIn } from "../users/sign-in.ts";
import { passwordVerificationCount } from "./passwords.ts";
import { purgeStaleThrottles, THROTTLE } from "./throttle.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  t = await createTestDatabase();
  for (const username of ["admin", "bob", "alice"]) await createUser(t.db, { username, password: TEST_PASSWORD });
  server = await startServer(t.db);
});
afterAll(async () => {
  await server.close();
  await t.drop();
});
// Each test starts with no counters.
beforeEach(async () => {
  await t.db.signInThrottle.deleteMany({});
});

async function login(username: string, password: string) {
  const res = await fetch(`${server.url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": "anonymous" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { error?: { message: string } };
  return { status: res.status, retryAfter: res.headers.get("retry-after"), message: body.error?.message };
}

/** The outcome of a sign-in called as the tRPC router does, from a given address. */
async function outcome(username: string, password: string, ip: string): Promise<"ok" | "wrong" | "refused"> {
  try {
    await signIn(t.db, { username, password }, ip);
    return "ok";
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "UNAUTHORIZED") return "wrong";
    if (code === "TOO_MANY_REQUESTS") return "refused";
    throw e;
  }
}

const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;

describe("the sign-in throttle", () => {
  it("runs at most lockAfter password verifications for 200 parallel wrong passwords from one address", async () => {
    const before = passwordVerificationCount();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => login("admin", `wrong-${i}`)));
    const verified = passwordVerificationCount() - before;

    expect(verified).toBeLessThanOrEqual(THROTTLE.lockAfter);
    expect(answers.filter((a) => a.status !== 401 && a.status !== 429)).toEqual([]);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(200 - THROTTLE.lockAfter);
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(r.message).toMatch(/^Too many failed sign-in attempts from your address\. Try again in \d+ (seconds|minutes)\.$/);
    }
    // Locked now: even the right password is not verified.
    const right = await login("admin", TEST_PASSWORD);
    expect(right.status).toBe(429);
    expect(passwordVerificationCount() - before).toBe(verified);
  });

  it("runs at most accountLockAfter verifications for 200 parallel wrong passwords at one account from 200 addresses", async () => {
    const before = passwordVerificationCount();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => outcome("admin", `wrong-${i}`, `198.51.100.${i}`)));
    expect(passwordVerificationCount() - before).toBeLessThanOrEqual(THROTTLE.accountLockAfter);
    expect(count(answers, "refused")).toBeGreaterThanOrEqual(200 - THROTTLE.accountLockAfter);
    expect(count(answers, "ok")).toBe(0);
    // The account is locked from every address, for the right password too.
    await expect(signIn(t.db, { username: "admin", password: TEST_PASSWORD }, "192.0.2.200")).rejects.toThrow(
      /^Too many failed sign-in attempts for this account\. Try again in \d+ (seconds|minutes)\.$/,
    );
    // Another account from a fresh address is untouched.
    expect(await outcome("bob", TEST_PASSWORD, "192.0.2.201")).toBe("ok");
  });

  it("does not reset the address's count for admin when bob signs in from it", async () => {
    const ip = "203.0.113.20";
    const first = [];
    for (let i = 0; i < 7; i++) first.push(await outcome("admin", `wrong-${i}`, ip));
    expect(first).toEqual(Array(7).fill("wrong"));

    expect(await outcome("bob", TEST_PASSWORD, ip)).toBe("ok");

    const before = passwordVerificationCount();
    const second = [];
    for (let i = 0; i < 7; i++) second.push(await outcome("admin", `again-${i}`, ip));
    // The eighth wrong password from the address locks it, bob's sign-in notwithstanding.
    expect(second).toEqual(Array(7).fill("refused"));
    expect(passwordVerificationCount() - before).toBe(1);
  });

  it("does not reset admin's account count when bob signs in", async () => {
    const guesses = THROTTLE.accountLockAfter - 1;
    for (let i = 0; i < guesses; i++) expect(await outcome("admin", `wrong-${i}`, `198.51.100.${i}`)).toBe("wrong");
    expect(await outcome("bob", TEST_PASSWORD, "198.51.100.1")).toBe("ok");
    // The account's limit is reached with the next guess, from wherever it comes.
    const after = [];
    for (let i = 0; i < 3; i++) after.push(await outcome("admin", `again-${i}`, `192.0.2.${i}`));
    expect(after).toEqual(["refused", "refused", "refused"]);
  });

  it("clears an account's count when that account signs in", async () => {
    const guesses = THROTTLE.accountLockAfter - 1;
    for (let i = 0; i < guesses; i++) expect(await outcome("alice", `wrong-${i}`, `198.51.100.${i}`)).toBe("wrong");
    expect(await outcome("alice", TEST_PASSWORD, "192.0.2.50")).toBe("ok");
    for (let i = 0; i < guesses; i++) expect(await outcome("alice", `typo-${i}`, `198.51.100.${100 + i}`)).toBe("wrong");
  });

  it("counts guesses at many accounts from one address together", async () => {
    const answers = [];
    for (let i = 0; i < THROTTLE.lockAfter + 2; i++) answers.push(await outcome(`user${i}`, "guess", "203.0.113.30"));
    expect(answers.slice(0, THROTTLE.lockAfter - 1)).toEqual(Array(THROTTLE.lockAfter - 1).fill("wrong"));
    expect(answers.slice(THROTTLE.lockAfter - 1)).toEqual(["refused", "refused", "refused"]);
    // Signing in to one's own account from there does not open it again.
    expect(await outcome("bob", TEST_PASSWORD, "203.0.113.30")).toBe("refused");
  });

  it("counts an IPv6 /64 as one address", async () => {
    const answers = [];
    for (let i = 0; i < THROTTLE.lockAfter + 1; i++) answers.push(await outcome("admin", "guess", `2001:db8:0:7::${(i + 1).toString(16)}`));
    expect(answers.at(-1)).toBe("refused");
    expect(await outcome("bob", TEST_PASSWORD, "2001:db8:0:8::1")).toBe("ok");
  });

  it("does not hold a person's own successful sign-ins against their address", async () => {
    for (let i = 0; i < THROTTLE.lockAfter * 2; i++) expect(await outcome("bob", TEST_PASSWORD, "203.0.113.40")).toBe("ok");
  });

  it("purges counters whose window and lock have both passed, and only those", async () => {
    const now = new Date("2026-06-01T12:00:00Z");
    const ago = (ms: number) => new Date(now.getTime() - ms);
    await t.db.signInThrottle.createMany({
      data: [
        { key: "user:stale", attempts: 3, windowStart: ago(THROTTLE.windowMs + 1) },
        { key: "user:lock-over", attempts: 9, windowStart: ago(THROTTLE.windowMs + 1), lockedUntil: ago(1) },
        { key: "user:in-window", attempts: 3, windowStart: ago(THROTTLE.windowMs - 1000) },
        { key: "user:still-locked", attempts: 9, windowStart: ago(THROTTLE.windowMs + 1), lockedUntil: new Date(now.getTime() + 1000) },
      ],
    });
    expect(await purgeStaleThrottles(t.db, now)).toBe(2);
    expect((await t.db.signInThrottle.findMany({ orderBy: { key: "asc" } })).map((r) => r.key)).toEqual(["user:in-window", "user:still-locked"]);
  });
});
