import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { startServer, TEST_PASSWORD } from "../test/server.ts";
import { THROTTLE } from "../auth/throttle.ts";

let t: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  t = await createTestDatabase();
  await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
  server = await startServer(t.db);
});
afterAll(async () => {
  await server.close();
  await t.drop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url + path, {
    method: "POST",
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function signIn(ip?: string) {
  const res = await post(
    "/trpc/auth.login",
    { username: "alice", password: TEST_PASSWORD },
    { "x-csrf-token": "anonymous", ...(ip ? { "x-forwarded-for": ip } : {}) },
  );
  const cookie = res.headers.get("set-cookie") ?? "";
  const body = (await res.json()) as { result: { data: { csrfToken: string } } };
  return { res, cookie, cookieHeader: cookie.split(";")[0]!, csrf: body.result?.data.csrfToken };
}

describe("the HTTP surface", () => {
  it("answers /healthz when the database answers", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", accessLog: { dropped: 0 } });
  });

  it("sends security headers with a CSP that allows only our own scripts", async () => {
    const res = await fetch(`${server.url}/healthz`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("answers unknown /api paths with a JSON 404 that says where the APIs are", async () => {
    const res = await fetch(`${server.url}/api/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/json/);
    expect(((await res.json()) as { error: string }).error).toMatch(/There is no API endpoint at GET \/api\/nope.*openapi\.json/);
  });

  it("refuses bodies over the limit with a 413 that names it", async () => {
    const big = "x".repeat(1024 * 1024 + 10);
    const api = await post("/api/json/Anything", { big });
    expect(api.status).toBe(413);
    expect(((await api.json()) as { error: string }).error).toBe("The request body is larger than the 1 MB limit.");
    const trpc = await post("/trpc/auth.login", { username: big, password: "x" }, { "x-csrf-token": "anonymous" });
    expect(trpc.status).toBe(413);
  });

  it("answers malformed JSON with a 400, not a 500", async () => {
    const res = await fetch(`${server.url}/api/json/X`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("The request body is not valid JSON.");
  });

  it("signs in with an httpOnly SameSite=Lax cookie, keeps the session, and signs out", async () => {
    const { res, cookie, cookieHeader, csrf } = await signIn();
    expect(res.status).toBe(200);
    expect(cookie).toMatch(/keyhouse_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);

    const me = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: cookieHeader } });
    expect(((await me.json()) as { result: { data: { user: { username: string } } } }).result.data.user.username).toBe("alice");

    const noCsrf = await post("/trpc/auth.logout?batch=1", {}, { cookie: cookieHeader });
    expect(noCsrf.status).toBe(403);
    const wrongCsrf = await post("/trpc/auth.logout?batch=1", {}, { cookie: cookieHeader, "x-csrf-token": "anonymous" });
    expect(wrongCsrf.status).toBe(403);

    const out = await post("/trpc/auth.logout?batch=1", {}, { cookie: cookieHeader, "x-csrf-token": csrf });
    expect(out.status, await out.clone().text()).toBe(200);
    const after = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: cookieHeader } });
    expect(((await after.json()) as { result: { data: unknown } }).result.data).toBeNull();
  });

  it("refuses a cross-site sign-in", async () => {
    const res = await post("/trpc/auth.login", { username: "alice", password: TEST_PASSWORD }, { "x-csrf-token": "anonymous", origin: "https://evil.example" });
    expect(res.status).toBe(403);
    const bare = await post("/trpc/auth.login", { username: "alice", password: TEST_PASSWORD });
    expect(bare.status).toBe(403);
  });

  it("slows down and then refuses repeated wrong passwords with 429 and Retry-After", async () => {
    let last: Response | undefined;
    for (let i = 0; i < THROTTLE.lockAfter; i++) {
      last = await post("/trpc/auth.login", { username: "alice", password: "wrong" }, { "x-csrf-token": "anonymous" });
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await last!.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^Too many failed sign-in attempts from your address\. Try again in \d+ (seconds|minutes)\.$/);
    // Even the right password is refused while locked.
    const right = await post("/trpc/auth.login", { username: "alice", password: TEST_PASSWORD }, { "x-csrf-token": "anonymous" });
    expect(right.status).toBe(429);
  });
});
