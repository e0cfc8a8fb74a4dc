// The gate before the work on NuGet pushes (docs/threat-model.md): a key that cannot push
// is refused before a byte of the body is read, so a huge body or a gzip bomb costs the
// server nothing; a push that may go on is streamed, decoded and capped.
import { gzipSync } from "node:zlib";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mistypedKeyValue } from "../../test/keys.ts";
import { buildNupkg, nugetPushBody } from "../formats/nuget.fixtures.ts";
import { expectAnsweredUnread, generatedBody, gzipBomb, sendUpload, uploadsLeft as uploadsLeftIn, type Refusal } from "../upload/testing.ts";
import { withBodyTexts } from "../../logs/bodies.ts";
import { createNuGetWorld, type NuGetWorld } from "./testing.ts";

const MiB = 1024 * 1024;
// Far more than the socket buffers between client and server can hold: a server that
// does not read cannot have been sent more than this.
const UNREAD = 32 * MiB;

let w: NuGetWorld;
let bomb: Buffer;
beforeAll(async () => {
  w = await createNuGetWorld();
  bomb = await gzipBomb(512 * MiB);
});
afterAll(() => w.close());

const url = () => `${w.server.url}/nuget/main/api/v2/package`;
const uploadsLeft = () => uploadsLeftIn(w.dataDir);
const refusals: Refusal[] = [
  ["no key", async () => null, 401, "This request needs an API key. Present it in the X-NuGet-ApiKey header."],
  ["a wrong key", async () => mistypedKeyValue(), 403, MESSAGES.invalidKey],
  ["a revoked key", () => w.key({ revokedAt: new Date(Date.now() - 1000) }), 403, MESSAGES.invalidKey],
  ["a key without the feeds API", () => w.key({ apis: ["native"] }), 403, "This API key cannot call the feeds API."],
  [
    "a key without the push or update scope",
    () => w.key({ scopes: ["unlist"] }),
    403,
    'This API key cannot push packages: it needs the "push" or "update" scope.',
  ],
  ["a key restricted to another feed", () => w.key({ feeds: ["other"] }), 403, 'This API key is restricted to other feeds and cannot be used on feed "main".'],
  ["a user without the add privilege", () => w.key({ ownerId: w.users.viewer.id }), 403, 'User "viewer" does not have the "add" privilege on feed "main".'],
];

describe("a NuGet push the key cannot make", () => {
  it.each(refusals)("with %s: a 240 MB body is answered at once and never read", async (_what, makeKey, status, message) => {
    const key = await makeKey();
    const answer = await sendUpload(url(), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(240 * MiB), ...(key ? { "x-nuget-apikey": key } : {}) },
      body: generatedBody(240 * MiB, new Uint8Array([0x50, 0x4b, 3, 4])),
    });
    expect({ status: answer.status, error: JSON.parse(answer.text).error }).toEqual({ status, error: message });
    expectAnsweredUnread(answer, w.dataDir, UNREAD);
  });

  it.each(refusals)("with %s: a gzip bomb is answered at once and never inflated", async (_what, makeKey, status, message) => {
    const key = await makeKey();
    const answer = await sendUpload(url(), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-encoding": "gzip", ...(key ? { "x-nuget-apikey": key } : {}) },
      body: bomb,
    });
    expect({ status: answer.status, error: JSON.parse(answer.text).error }).toEqual({ status, error: message });
    expect(answer.arrayBuffersGrowth).toBeLessThan(8 * MiB);
  });

  it("names the key and the acting user in the access log, and no body", async () => {
    const key = await w.key({ ownerId: w.users.viewer.id, scopes: ["push"], logRequestBody: true });
    const answer = await sendUpload(url(), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "x-nuget-apikey": key, "user-agent": "upload-gate-test" },
      body: generatedBody(8 * MiB),
    });
    expect(answer.status).toBe(403);
    await w.server.services.accessLog.drain();
    const entry = await withBodyTexts(w.db, await w.db.accessLogEntry.findFirstOrThrow({ where: { userAgent: "upload-gate-test" } }));
    expect(entry).toMatchObject({ status: 403, keyStatus: "valid", username: "viewer", userId: w.users.viewer.id });
    expect(entry.keyId).not.toBeNull();
    // The body was never read, so nothing of it can be described.
    expect(entry.requestBody ?? "").not.toMatch(/binary body|package file/);
  });
});

describe("a NuGet push the key may make", () => {
  let key: string;
  beforeAll(async () => {
    key = await w.key({ scopes: ["push", "update"], logRequestBody: true });
  });

  it("takes a gzip-encoded body, stores the decoded package and logs it as type, size and sha256", async () => {
    const nupkg = buildNupkg({ id: "Contoso.Zipped", version: "1.0.0" });
    const { body, contentType } = nugetPushBody(nupkg);
    const answer = await sendUpload(url(), {
      method: "PUT",
      headers: { "content-type": contentType, "content-encoding": "gzip", "x-nuget-apikey": key, "user-agent": "gzip-push-test" },
      body: gzipSync(body),
    });
    expect(answer.status).toBe(201);
    const stored = await w.get("/nuget/main/v3-flatcontainer/contoso.zipped/1.0.0/contoso.zipped.1.0.0.nupkg", key);
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(nupkg);
    await w.server.services.accessLog.drain();
    const entry = await withBodyTexts(w.db, await w.db.accessLogEntry.findFirstOrThrow({ where: { userAgent: "gzip-push-test" } }));
    expect(entry.requestBody).toMatch(new RegExp(`^\\[package file: application/zip \\(NuGet package\\), ${nupkg.length} bytes, sha256 [0-9a-f]{64}\\]$`));
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses a gzip bomb with 413 once the decoded bytes pass the limit, keeping nothing", async () => {
    const answer = await sendUpload(url(), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-encoding": "gzip", "x-nuget-apikey": key },
      body: bomb,
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error).toBe("The upload is larger than the 250 MB limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.");
    // 250 MiB went through the decoder: what shows is garbage awaiting collection, not a buffer of it.
    expect(answer.arrayBuffersGrowth).toBeLessThan(64 * MiB);
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses an unknown Content-Encoding with 415 before reading", async () => {
    const answer = await sendUpload(url(), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-encoding": "zstd", "x-nuget-apikey": key },
      body: generatedBody(64 * MiB),
    });
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.text).error).toBe('The upload\'s Content-Encoding "zstd" is not supported; send it uncompressed or with gzip, deflate or br.');
    expect(answer.sent).toBeLessThan(UNREAD);
  });
});

describe("MAX_UPLOAD_MB", () => {
  let small: NuGetWorld;
  let key: string;
  beforeAll(async () => {
    small = await createNuGetWorld({ maxUploadBytes: 1 * MiB });
    key = await small.key({ scopes: ["push"] });
  });
  afterAll(() => small.close());

  it("refuses a body declared over it with 413 at once", async () => {
    const answer = await sendUpload(`${small.server.url}/nuget/main/api/v2/package`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(64 * MiB), "x-nuget-apikey": key },
      body: generatedBody(64 * MiB),
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error).toBe("The upload is larger than the 1 MB limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.");
    expect(answer.sent).toBeLessThan(UNREAD);
  });

  it("refuses a chunked body with 413 once it passes it", async () => {
    const answer = await sendUpload(`${small.server.url}/nuget/main/api/v2/package`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "x-nuget-apikey": key },
      body: generatedBody(64 * MiB),
    });
    expect(answer.status).toBe(413);
    expect(answer.sent).toBeLessThan(UNREAD);
  });

  it("still takes a package under it", async () => {
    const res = await small.push(key, { id: "Contoso.Small", version: "1.0.0" });
    expect(res.status).toBe(201);
  });
});
