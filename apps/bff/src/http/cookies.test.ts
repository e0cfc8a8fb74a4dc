// The session cookie over real HTTP: Secure whenever PUBLIC_URL is https, even though a
// proxy that ends TLS hands the request on over plain http.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../db/factories.ts";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { startServer, TEST_PASSWORD, testConfig } from "../test/server.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await createUser(t.db, { username: "alice", password: TEST_PASSWORD });
});
afterAll(() => t.drop());

async function cookiesWith(publicUrl: string | undefined) {
  const server = await startServer(t.db, testConfig({ publicUrl }));
  try {
    const post = (path: string, body: unknown, headers: Record<string, string>) =>
      fetch(server.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const login = await post("/trpc/auth.login", { username: "alice", password: TEST_PASSWORD }, { "x-csrf-token": "anonymous" });
    expect(login.status).toBe(200);
    const signedIn = login.headers.get("set-cookie") ?? "";
    const { csrfToken } = ((await login.json()) as { result: { data: { csrfToken: string } } }).result.data;
    const logout = await post("/trpc/auth.logout?batch=1", {}, { cookie: signedIn.split(";")[0]!, "x-csrf-token": csrfToken });
    expect(logout.status).toBe(200);
    return { signedIn, signedOut: logout.headers.get("set-cookie") ?? "" };
  } finally {
    await server.close();
  }
}

describe("the session cookie", () => {
  it("is Secure, when set and when cleared, whenever PUBLIC_URL is https", async () => {
    const { signedIn, signedOut } = await cookiesWith("https://keys.example.com");
    expect(signedIn).toMatch(/^keyhouse_session=[^;]+;.*; Secure/);
    expect(signedIn).toMatch(/HttpOnly/);
    expect(signedIn).toMatch(/SameSite=Lax/);
    expect(signedOut).toMatch(/^keyhouse_session=;.*; Secure/);
  });

  it("is not Secure over plain http, where a browser would then never send it back", async () => {
    const { signedIn } = await cookiesWith("http://localhost:3000");
    expect(signedIn).toMatch(/^keyhouse_session=/);
    expect(signedIn).not.toMatch(/Secure/i);
  });
});
