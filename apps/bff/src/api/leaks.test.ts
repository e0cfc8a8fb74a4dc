import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeyValue } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, prepareDb } from "../db/client.ts";
import { createApiKey, createUser } from "../db/factories.ts";
import { createNpmWorld, npmHttp, type NpmWorld } from "../feeds/npm/test-world.ts";
import { mistypedKeyValue } from "../test/keys.ts";
import { testProvider } from "../test/database.ts";
import { startServer, TEST_SECRET, testConfig } from "../test/server.ts";

// POST /api/leaks (docs/threat-model.md): anyone may report; live keys are revoked at once.

let w: NpmWorld;
let adminId: number;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

beforeAll(async () => {
  w = await createNpmWorld();
  adminId = (await createUser(w.db, { username: "root", password: "x".repeat(12), role: "admin" })).id;
});
afterAll(async () => {
  await w?.close();
});

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  fetch(`${w.server.url}/api/leaks`, { method: "POST", headers, body });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe("leak reports", () => {
  it("revokes a key posted in a JSON file by an anonymous client; its owner's outbox and the admins' say where it was found", async () => {
    const { key, value } = await createApiKey(w.db, TEST_SECRET, { ownerId: w.users.alice.id, name: "ci", scopes: ["push"] });
    expect((await npmHttp(w).get("nothing-here", { key: value })).status).toBe(404);

    const random = generateKeyValue(); // well-formed, but no key
    const malformed = mistypedKeyValue();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "leak-")), "report.json");
    const url = "https://github.com/acme/app/blob/main/.npmrc";
    writeFileSync(
      file,
      JSON.stringify([
        { token: value, url, source: "content" },
        { token: random, url, source: "content" },
        { token: malformed, url, source: "commit" },
      ]),
    );
    const res = await post(readFileSync(file, "utf8"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_hash: sha256(value), label: "true_positive" },
      { token_hash: sha256(random), label: "false_positive" },
      { token_hash: sha256(malformed), label: "false_positive" },
    ]);

    // The next request with it is refused, on this instance at once.
    expect((await npmHttp(w).get("nothing-here", { key: value })).status).toBe(403);

    const notices = await w.db.notification.findMany({ where: { keyId: key.id, kind: "key.leaked" } });
    expect(notices.map((n) => n.userId).sort()).toEqual([w.users.alice.id, adminId].sort());
    for (const n of notices) {
      expect(n.body).toContain(`found at ${url} (source: content)`);
      expect(n.body).not.toContain(value);
    }
    const audit = await w.db.auditEvent.findFirst({ where: { keyId: key.id, action: "key.revoked" } });
    expect(audit?.actorName).toBe("leak report");

    // Reported again: no longer live, so false_positive and no second notice.
    expect(await (await post(JSON.stringify([{ token: value, url, source: "content" }]))).json()).toEqual([
      { token_hash: sha256(value), label: "false_positive" },
    ]);
    expect(await w.db.notification.count({ where: { keyId: key.id, kind: "key.leaked" } })).toBe(2);
  });

  it("answers bad bodies with a 400 or 413 that says what is wrong, and changes nothing", async () => {
    const { value } = await createApiKey(w.db, TEST_SECRET, { ownerId: w.users.alice.id, scopes: ["push"] });
    const one = { token: value, url: "u", source: "s" };
    const cases: [string, number, string][] = [
      ["not json", 400, 'The body is not JSON. Send a JSON array of {"token", "url", "source"} objects.'],
      [JSON.stringify({ token: value }), 400, 'Send a JSON array of {"token", "url", "source"} objects (GitHub secret scanning\'s shape).'],
      [JSON.stringify([one, one]), 400, "Report 2: this token is listed twice; send each token once."],
      [JSON.stringify([{ token: value, url: "u" }]), 400, 'Report 1: Each report needs a "source" (text), e.g. "content".'],
      [JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ token: `t${i}`, url: "u", source: "s" }))), 400, "At most 100 tokens per report."],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      expect(res.status, body.slice(0, 40)).toBe(status);
      expect(await errorOf(res)).toBe(message);
    }
    expect((await post(JSON.stringify([{ ...one, url: "x".repeat(70 * 1024) }]))).status).toBe(413);
    expect((await npmHttp(w).get("nothing-here", { key: value })).status).toBe(404);
  });

  it("takes TruffleHog's verification body: 200 (verified) and revoked for a live key, 403 otherwise", async () => {
    const { value } = await createApiKey(w.db, TEST_SECRET, { ownerId: w.users.alice.id, scopes: ["push"] });
    const verify = (matches: string[]) =>
      fetch(`${w.server.url}/api/leaks/trufflehog`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ KeyhouseApiKey: { key: matches } }),
      });
    expect((await verify([generateKeyValue()])).status).toBe(403);
    const { id } = await w.db.apiKey.findFirstOrThrow({ where: { ownerId: w.users.alice.id }, orderBy: { id: "desc" }, select: { id: true } });
    expect((await verify([value])).status).toBe(200);
    expect((await npmHttp(w).get("nothing-here", { key: value })).status).toBe(403);
    // TruffleHog says nothing of where it found the key, and the notice does not pretend otherwise.
    const notice = await w.db.notification.findFirstOrThrow({ where: { keyId: id, kind: "key.leaked", userId: w.users.alice.id } });
    expect(notice.body).toContain("was reported as found by TruffleHog, which gave no location, and has been revoked.");
  });

  it("limits reports per address (429 with Retry-After)", async () => {
    let res: Response | undefined;
    for (let i = 0; i < 12 && res?.status !== 429; i++) res = await post(JSON.stringify([{ token: `t${i}`, url: "u", source: "s" }]));
    expect(res?.status).toBe(429);
    expect(Number(res?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(res!)).toMatch(/^Too many leak reports from your address\. Try again in \d+ seconds\.$/);
  });

  it("limits one address across two instances sharing the database: the 11th report in a minute gets 429 with Retry-After", async () => {
    // Two instances behind one proxy (the client's address from X-Forwarded-For), each with its own database connection.
    const instances: { db: Db; server: Awaited<ReturnType<typeof startServer>> }[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const db = createDb(w.t.url);
        await prepareDb(db, w.t.url);
        const server = await startServer(db, testConfig({ provider: testProvider, databaseUrl: w.t.url, dataDir: w.dataDir, trustProxy: 1 }));
        instances.push({ db, server });
      }
      const from = "198.51.100.61";
      const report = (n: number) =>
        fetch(`${instances[n % 2]!.server.url}/api/leaks`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": from },
          body: JSON.stringify([{ token: `not-a-key-${n}`, url: "u", source: "s" }]),
        });
      for (let n = 0; n < 10; n++) expect((await report(n)).status, `report ${n + 1}`).toBe(200);
      for (const n of [10, 11]) {
        const refused = await report(n);
        expect(refused.status, `report ${n + 1}, on instance ${(n % 2) + 1}`).toBe(429);
        const wait = Number(refused.headers.get("retry-after"));
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(60);
        expect(await errorOf(refused)).toBe(`Too many leak reports from your address. Try again in ${wait} seconds.`);
      }
      // Another address has a limit of its own.
      const other = await fetch(`${instances[0]!.server.url}/api/leaks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.62" },
        body: JSON.stringify([{ token: "not-a-key", url: "u", source: "s" }]),
      });
      expect(other.status).toBe(200);
    } finally {
      for (const { db, server } of instances) {
        await server.close();
        await db.$disconnect();
      }
    }
  });
});
