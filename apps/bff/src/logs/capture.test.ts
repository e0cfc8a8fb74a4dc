// The access log over real HTTP on the feeds: what an entry holds (docs/access-logs.md), failed
// attempts, bodies only when the key asks (at most 64 KiB, secrets removed), and never a
// key value or a credential header.
import { generateKeyValue } from "@keyhouse/shared";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../db/factories.ts";
import type { TestDatabase } from "../test/database.ts";
import { TEST_SECRET } from "../test/server.ts";
import { BODY_LOG_LIMIT } from "./capture.ts";
import { withBodyTexts } from "./bodies.ts";
import { mistypedKeyValue } from "../test/keys.ts";
import { type LogWorld, type LoggedServer, useLoggedWorld } from "../test/logged-world.ts";

let t: TestDatabase;
let server: LoggedServer;
let world: LogWorld;
useLoggedWorld((parts) => ({ t, server, world } = parts));

/** The entries written since `afterId`, oldest first, with their bodies' texts (stored once per content, bodies.ts). */
async function entriesAfter(afterId: number) {
  await server.flush();
  const rows = await t.db.accessLogEntry.findMany({ where: { id: { gt: afterId } }, orderBy: { id: "asc" } });
  return Promise.all(rows.map((r) => withBodyTexts(t.db, r)));
}
async function lastId(): Promise<number> {
  await server.flush();
  return (await t.db.accessLogEntry.findFirst({ orderBy: { id: "desc" } }))?.id ?? 0;
}

const npmGet = (path: string, headers: Record<string, string>) =>
  fetch(`${server.url}/npm/npm/${path}`, { headers: { "User-Agent": "npm/10.8.2 node/v22 test", ...headers } });

describe("access-log capture on the feeds", () => {
  it("logs a keyed npm read with every field of docs/access-logs.md (a 404 included)", async () => {
    const { key, value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, name: "alice's ci key", scopes: ["push"] });
    const before = await lastId();
    const startedAt = Date.now();
    const res = await npmGet("some-package?write=false&ok=1", { Authorization: `Bearer ${value}` });
    expect(res.status).toBe(404);
    await res.arrayBuffer();
    const [entry, ...more] = await entriesAfter(before);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      keyId: key.id,
      keyName: "alice's ci key",
      keyHint: key.hint,
      keyStatus: "valid",
      ownerId: world.alice.id,
      userId: world.alice.id,
      username: "alice",
      surface: "feeds",
      feed: "npm",
      method: "GET",
      path: "/npm/npm/some-package?write=false&ok=1",
      status: 404,
      ip: "127.0.0.1",
      userAgent: "npm/10.8.2 node/v22 test",
      bytesIn: 0,
      requestBody: null,
      responseBody: null,
    });
    expect(entry!.at.getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(entry!.at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(entry!.durationMs).toBeGreaterThan(0);
    expect(entry!.bytesOut).toBeGreaterThan(100);
    expect(JSON.stringify(entry)).not.toContain(value.slice(4, 34));
  });

  it("logs the NuGet service index read with X-NuGet-ApiKey", async () => {
    const { key, value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.bob.id });
    const before = await lastId();
    const res = await fetch(`${server.url}/nuget/nuget/v3/index.json`, { headers: { "X-NuGet-ApiKey": value } });
    await res.arrayBuffer();
    const entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      keyId: key.id,
      keyStatus: "valid",
      ownerId: world.bob.id,
      surface: "feeds",
      feed: "nuget",
      method: "GET",
      path: "/nuget/nuget/v3/index.json",
      status: res.status,
    });
  });

  it("logs failed attempts: an unknown key, a malformed key (no part of its value) and a revoked key", async () => {
    const unknown = generateKeyValue();
    const malformed = mistypedKeyValue();
    const revoked = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, revokedAt: new Date(Date.now() - 60_000) });
    const before = await lastId();
    for (const value of [unknown, malformed, revoked.value]) {
      const res = await npmGet("left-pad", { Authorization: `Bearer ${value}` });
      expect(res.status).toBe(403);
      await res.arrayBuffer();
    }
    const [u, m, r] = await entriesAfter(before);
    expect(u).toMatchObject({
      keyStatus: "unknown",
      keyId: null,
      keyName: null,
      keyHint: null,
      ownerId: null,
      userId: null,
      status: 403,
      path: "/npm/npm/left-pad",
    });
    expect(m).toMatchObject({ keyStatus: "malformed", keyId: null, keyName: null, keyHint: null, ownerId: null, userId: null, status: 403 });
    expect(r).toMatchObject({ keyStatus: "revoked", keyId: revoked.key.id, ownerId: world.alice.id, status: 403 });
    const text = JSON.stringify([u, m, r]);
    for (const v of [unknown, malformed, revoked.value]) {
      expect(text).not.toContain(v);
      expect(text).not.toContain(v.slice(4, 20));
      expect(text).not.toContain(v.slice(-16));
    }
  });

  it("logs nothing for a request without a key", async () => {
    const before = await lastId();
    await (await npmGet("left-pad", {})).arrayBuffer();
    expect(await entriesAfter(before)).toEqual([]);
  });

  it("removes secrets from the query string", async () => {
    const { value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id });
    const stray = generateKeyValue();
    const before = await lastId();
    await (await npmGet(`left-pad?token=hunter2&API_Key=${stray}&password=pw123456&keep=yes`, { Authorization: `Bearer ${value}` })).arrayBuffer();
    const [entry] = await entriesAfter(before);
    expect(entry!.path).toMatch(/^\/npm\/npm\/left-pad\?/);
    expect(entry!.path).toContain("keep=yes");
    for (const secret of ["hunter2", stray, "pw123456"]) expect(entry!.path).not.toContain(secret);
  });

  it("keeps bodies only when the key asks, secrets removed, at most 64 KiB each", async () => {
    const quiet = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, scopes: ["push", "update", "unlist"] });
    const loud = await createApiKey(t.db, TEST_SECRET, {
      ownerId: world.alice.id,
      scopes: ["push", "update", "unlist"],
      logRequestBody: true,
      logResponseBody: true,
    });
    const requestOnly = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, scopes: ["push", "update", "unlist"], logRequestBody: true });
    const stray = generateKeyValue();
    const body = JSON.stringify({
      name: "left-pad",
      description: "pads",
      password: "hunter2",
      nested: { _authToken: stray, list: [{ token: "tok-123456" }] },
      note: `see ${stray}`,
    });
    const put = (value: string, payload: string) =>
      fetch(`${server.url}/npm/npm/left-pad`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${value}`, "Content-Type": "application/json" },
        body: payload,
      });

    const before = await lastId();
    for (const k of [quiet, loud, requestOnly]) {
      const res = await put(k.value, body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      await res.arrayBuffer();
    }
    const huge = JSON.stringify({ name: "left-pad", readme: "é".repeat(200_000), password: "hunter2" });
    await (await put(loud.value, huge)).arrayBuffer();
    const [q, l, r, h] = await entriesAfter(before);

    expect(q).toMatchObject({ keyId: quiet.key.id, requestBody: null, responseBody: null, bytesIn: Buffer.byteLength(body) });
    expect(l!.keyId).toBe(loud.key.id);
    const logged = JSON.parse(l!.requestBody!);
    expect(logged).toMatchObject({
      name: "left-pad",
      description: "pads",
      password: "[redacted]",
      nested: { _authToken: "[redacted]", list: [{ token: "[redacted]" }] },
    });
    expect(l!.requestBody).not.toContain(stray);
    expect(l!.requestBody).not.toContain("hunter2");
    expect(l!.requestBody).not.toContain("tok-123456");
    expect(l!.responseBody).toBeTruthy();
    expect(JSON.parse(l!.responseBody!)).toHaveProperty("error");
    expect(r).toMatchObject({ keyId: requestOnly.key.id, responseBody: null });
    expect(r!.requestBody).toContain("left-pad");

    expect(h!.keyId).toBe(loud.key.id);
    expect(Buffer.byteLength(h!.requestBody!)).toBeLessThanOrEqual(BODY_LOG_LIMIT);
    expect(Buffer.byteLength(h!.requestBody!)).toBeGreaterThan(BODY_LOG_LIMIT - 100);
    expect(h!.requestBody).toMatch(/\[truncated\]$/);
    expect(h!.requestBody).not.toContain("hunter2");
    expect(h!.bytesIn).toBe(Buffer.byteLength(huge));
  });

  it("never stores credential headers", async () => {
    const { value } = await createApiKey(t.db, TEST_SECRET, { ownerId: world.alice.id, logRequestBody: true, logResponseBody: true });
    const before = await lastId();
    await (
      await fetch(`${server.url}/nuget/nuget/v3/index.json`, {
        headers: {
          "X-NuGet-ApiKey": value,
          Authorization: `Basic ${Buffer.from(`api:${value}`).toString("base64")}`,
          "X-ApiKey": value,
          Cookie: "keyhouse_session=cookie-secret-1234",
        },
      })
    ).arrayBuffer();
    const rows = await entriesAfter(before);
    expect(rows).toHaveLength(1);
    const text = JSON.stringify(rows);
    for (const secret of [value, value.slice(4, 34), Buffer.from(`api:${value}`).toString("base64"), "cookie-secret-1234"]) expect(text).not.toContain(secret);
  });

  it("logs the bytes a refused upload actually sent in, not the length it declared", async () => {
    const declared = 240 * 1024 * 1024;
    const sent = 4 * 1024 * 1024;
    const before = await lastId();
    // The head and the first 4 MiB of a "240 MB" push, as a client sends before it sees the 403.
    const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1");
    socket.on("error", () => {}); // the server closes on the refusal: an unread rest may reset the connection
    socket.write(`PUT /nuget/nuget/api/v2/package HTTP/1.1\r\nHost: x\r\nX-NuGet-ApiKey: ${generateKeyValue()}\r\nContent-Length: ${declared}\r\n\r\n`);
    socket.write(Buffer.alloc(sent, "A"));
    await new Promise((r) => socket.once("close", r));
    const [entry, ...more] = await entriesAfter(before);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ path: "/nuget/nuget/api/v2/package", status: 403 });
    expect(entry!.bytesIn).toBeGreaterThanOrEqual(0);
    expect(entry!.bytesIn).toBeLessThan(1024 * 1024);
  });
});
