// The gate before the work on gem pushes (docs/threat-model.md): a key that cannot push is
// refused before a byte of the body is read, so a huge body or a gzip bomb costs the
// server nothing; a push that may go on is streamed, decoded and capped.
import { gzipSync } from "node:zlib";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, grantFeed } from "../../db/factories.ts";
import { TEST_PASSWORD } from "../../test/server.ts";
import { mistypedKeyValue } from "../../test/keys.ts";
import { buildGem } from "../formats/gem.fixtures.ts";
import { expectAnsweredUnread, generatedBody, gzipBomb, sendUpload, uploadsLeft as uploadsLeftIn, type Refusal } from "../upload/testing.ts";
import { startGemFeed, type GemFeed } from "./rubygems.fixtures.ts";

const MiB = 1024 * 1024;
// Far more than the socket buffers between client and server can hold: a server that
// does not read cannot have been sent more than this.
const UNREAD = 32 * MiB;

let f: GemFeed;
let bomb: Buffer;
let viewerId: number;
beforeAll(async () => {
  f = await startGemFeed();
  bomb = await gzipBomb(512 * MiB);
  const viewer = await createUser(f.db, { username: "viewer", password: TEST_PASSWORD });
  await grantFeed(f.db, viewer.id, f.feed.id, { view: true, add: false, unlist: true });
  viewerId = viewer.id;
});
afterAll(() => f.close());

const url = () => `${f.url}/api/v1/gems`;
const uploadsLeft = () => uploadsLeftIn(f.dataDir);
const refusals: Refusal[] = [
  ["no key", async () => null, 401, "This request needs an API key. Present it in the Authorization header."],
  ["a wrong key", async () => mistypedKeyValue(), 403, MESSAGES.invalidKey],
  ["an expired key", () => f.key({ expiresAt: new Date(Date.now() - 1000) }), 403, MESSAGES.invalidKey],
  ["a key without the feeds API", () => f.key({ apis: ["native"] }), 403, "This API key cannot call the feeds API."],
  [
    "a key without the push or update scope",
    () => f.key({ scopes: ["unlist"] }),
    403,
    'This API key cannot push packages: it needs the "push" or "update" scope.',
  ],
  [
    "a key restricted to another feed",
    () => f.key({ feeds: ["other-gems"] }),
    403,
    'This API key is restricted to other feeds and cannot be used on feed "gems".',
  ],
  [
    "a user without the add privilege",
    () => f.key({ ownerId: viewerId, scopes: ["push"] }),
    403,
    'User "viewer" does not have the "add" privilege on feed "gems".',
  ],
];

describe("a gem push the key cannot make", () => {
  it.each(refusals)("with %s: a 240 MB body is answered at once and never read", async (_what, makeKey, status, message) => {
    const key = await makeKey();
    const answer = await sendUpload(url(), {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "content-length": String(240 * MiB), ...(key ? { authorization: key } : {}) },
      body: generatedBody(240 * MiB),
    });
    expect({ status: answer.status, text: answer.text }).toEqual({ status, text: `${message}\n` });
    expectAnsweredUnread(answer, f.dataDir, UNREAD);
  });

  it.each(refusals)("with %s: a gzip bomb is answered at once and never inflated", async (_what, makeKey, status, message) => {
    const key = await makeKey();
    const answer = await sendUpload(url(), {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "content-encoding": "gzip", ...(key ? { authorization: key } : {}) },
      body: bomb,
    });
    expect({ status: answer.status, text: answer.text }).toEqual({ status, text: `${message}\n` });
    expect(answer.arrayBuffersGrowth).toBeLessThan(8 * MiB);
  });
});

describe("a gem push the key may make", () => {
  let key: string;
  beforeAll(async () => {
    key = await f.key({ scopes: ["push", "update"] });
  });

  it("takes a gzip-encoded .gem and stores it decoded", async () => {
    const gem = buildGem({ name: "zipped", version: "1.0.0" });
    const answer = await sendUpload(url(), {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "content-encoding": "gzip", authorization: key },
      body: gzipSync(gem),
    });
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: "Successfully registered gem: zipped (1.0.0)\n" });
    const stored = await fetch(`${f.url}/gems/zipped-1.0.0.gem`, { headers: { authorization: `Basic ${Buffer.from(`api:${key}`).toString("base64")}` } });
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(new Uint8Array(gem));
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses a gzip bomb with 413 once the decoded bytes pass the limit, keeping nothing", async () => {
    const answer = await sendUpload(url(), {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "content-encoding": "gzip", authorization: key },
      body: bomb,
    });
    expect({ status: answer.status, text: answer.text }).toEqual({
      status: 413,
      text: "The upload is larger than the 250 MB limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.\n",
    });
    // 250 MiB went through the decoder: what shows is garbage awaiting collection, not a buffer of it.
    expect(answer.arrayBuffersGrowth).toBeLessThan(64 * MiB);
    expect(uploadsLeft()).toEqual([]);
  });

  it("answers 400 when the gzip data is damaged", async () => {
    const damaged = gzipSync(buildGem({ name: "damaged", version: "1.0.0" })).subarray(0, 200);
    const answer = await sendUpload(url(), {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "content-encoding": "gzip", authorization: key },
      body: damaged,
    });
    expect({ status: answer.status, text: answer.text }).toEqual({
      status: 400,
      text: "The upload's gzip data is damaged or incomplete and cannot be decoded.\n",
    });
    expect(uploadsLeft()).toEqual([]);
  });
});

describe("MAX_UPLOAD_MB on the gem feed", () => {
  let small: GemFeed;
  let key: string;
  beforeAll(async () => {
    small = await startGemFeed({ maxUploadBytes: 1 * MiB });
    key = await small.key({ scopes: ["push"] });
  });
  afterAll(() => small.close());

  it("refuses a body declared over it with 413 at once, and a chunked one once it passes it", async () => {
    for (const headers of [{ "content-length": String(64 * MiB) }, {}] as Record<string, string>[]) {
      const answer = await sendUpload(`${small.url}/api/v1/gems`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream", authorization: key, ...headers },
        body: generatedBody(64 * MiB),
      });
      expect({ status: answer.status, text: answer.text }).toEqual({
        status: 413,
        text: "The upload is larger than the 1 MB limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.\n",
      });
      expect(answer.sent).toBeLessThan(UNREAD);
    }
  });

  it("still takes a gem under it", async () => {
    const res = await fetch(`${small.url}/api/v1/gems`, {
      method: "POST",
      headers: { authorization: key },
      body: buildGem({ name: "small", version: "1.0.0" }),
    });
    expect(res.status).toBe(200);
  });
});
