// npm PUT bodies (docs/threat-model.md): the key is checked before a byte of the body is
// read, a publish streams to disk and is parsed without being held, and every limit counts
// decoded bytes. The server runs in this process, so its memory is measured around requests.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { createGzip, gzipSync } from "node:zlib";
import { MESSAGES } from "@keyhouse/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../db/factories.ts";
import { TEST_SECRET } from "../../test/server.ts";
import { buildNpmPublishBody } from "../formats/npm.fixtures.ts";
import { uploadsLeft } from "../upload/testing.ts";
import { createNpmWorld, errorOf, npmHttp, type NpmWorld } from "./test-world.ts";

const MAX_UPLOAD = 1024 * 1024;
const MiB = 1024 * 1024;

let w: NpmWorld;
let api: ReturnType<typeof npmHttp>;
/** 194 KB of gzip: a JSON string of 200 MB of "A". */
let bomb: Buffer;
let noScopes: string;

/** gzip of `prefix + fill × count + suffix`, built a piece at a time (never the whole text). */
async function gzipOf(prefix: string, fill: Buffer, count: number, suffix: string): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gz.on("end", resolve));
  gz.write(prefix);
  for (let i = 0; i < count; i++) if (!gz.write(fill)) await new Promise((r) => gz.once("drain", r));
  gz.end(suffix);
  await done;
  return Buffer.concat(out);
}

beforeAll(async () => {
  w = await createNpmWorld({ maxUploadBytes: MAX_UPLOAD });
  api = npmHttp(w);
  noScopes = (await createApiKey(w.db, TEST_SECRET, { ownerId: w.users.alice.id, scopes: [] })).value;
  bomb = await gzipOf('{"name":"bomb","readme":"', Buffer.alloc(MiB, "A"), 200, '"}');
  expect(bomb.length).toBeLessThan(200 * 1024);
}, 60_000);
afterAll(async () => {
  await w?.close();
});
afterEach(() => {
  // Uploads and decoded attachments are temporary: none outlives its request.
  expect(uploadsLeft(w.dataDir)).toEqual([]);
});

type Answer = { status: number; headers: http.IncomingHttpHeaders; error: string };

/**
 * A PUT by hand: `send` is written, and with `hold` the request stays open afterwards, so an
 * answer that arrives proves the server did not wait for (or read) the rest of the body.
 */
function put(p: string, opts: { key?: string; headers?: Record<string, string>; send: Buffer | Buffer[]; hold?: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(w.registry + p, {
      method: "PUT",
      headers: { "content-type": "application/json", ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...opts.headers },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        req.destroy();
        let error = "";
        try {
          error = (JSON.parse(text) as { error?: string }).error ?? "";
        } catch {
          error = text;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, error });
      });
    });
    // The server may close the connection on a refusal while we are still sending.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    for (const chunk of Array.isArray(opts.send) ? opts.send : [opts.send]) req.write(chunk);
    if (!opts.hold) req.end();
  });
}

function memory() {
  return { rss: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 };
}

describe("the gate before the body", () => {
  it("answers a 194 KB gzip bomb with a wrong key with 403 without inflating it", async () => {
    const before = memory();
    const res = await put("bomb", { key: w.keys.wrong, headers: { "content-encoding": "gzip", "content-length": String(bomb.length) }, send: bomb });
    const after = memory();
    // Before this change the server grew by about 800 MB here (142 MB to 930 MB resident).
    const growth = { peak: after.peak - before.peak, rss: after.rss - before.rss };
    expect(growth.peak, JSON.stringify(growth)).toBeLessThan(8 * MiB);
    expect(growth.rss, JSON.stringify(growth)).toBeLessThan(8 * MiB);
    expect(res.status).toBe(403);
    expect(res.error).toBe(MESSAGES.invalidKey);
    expect(res.headers.connection).toBe("close");
  });

  const refusals: [string, () => string | null, number, string][] = [
    ["no key", () => null, 401, "This request needs an API key. Present it in an Authorization: Bearer header (npm's _authToken) or Basic authentication."],
    ["a wrong key", () => w.keys.wrong, 403, MESSAGES.invalidKey],
    ["a revoked key", () => w.keys.revoked, 403, MESSAGES.invalidKey],
    ["a key without the feeds API", () => w.keys.noFeedsApi, 403, "This API key cannot call the feeds API."],
    ["a key restricted to another feed", () => w.keys.otherFeed, 403, 'This API key is restricted to other feeds and cannot be used on feed "npm".'],
    ["a key without a write scope", () => noScopes, 403, 'This API key cannot publish or change packages: it needs the "push", "update" or "unlist" scope.'],
    ["a user without the add or unlist privilege", () => w.keys.carol, 403, 'User "carol" does not have the "add" or "unlist" privilege on feed "npm".'],
  ];
  const paths: [string, string][] = [
    ["a publish or deprecate (PUT /{name})", "gate-pkg"],
    ["an unpublish (PUT /{name}/-rev/{rev})", "gate-pkg/-rev/1-abc"],
    ["a dist-tag move", "-/package/gate-pkg/dist-tags/beta"],
  ];
  for (const [where, p] of paths) {
    for (const [label, key, status, message] of refusals) {
      it(`refuses ${label} on ${where} with ${status} before reading the body`, async () => {
        // 1 KB of a declared 100 MB: only an answer that does not wait for the body can arrive.
        const res = await put(p, { key: key() ?? undefined, headers: { "content-length": String(100 * MiB) }, send: Buffer.alloc(1024, " "), hold: true });
        expect(res.status).toBe(status);
        expect(res.error).toBe(message);
        expect(res.headers.connection).toBe("close");
      });
    }
  }
});

describe("a publish is streamed", () => {
  it("answers a gzip bomb with a valid key with 413, holding at most a few MiB", async () => {
    const before = memory();
    const res = await put("bomb", { key: w.keys.full, headers: { "content-encoding": "gzip" }, send: bomb });
    const after = memory();
    // Inflated to disk, never in memory, and only up to the limit.
    expect(res.status).toBe(413);
    expect(res.error).toMatch(/^The request body is larger than the 5\.3 MB limit of this npm feed/);
    const growth = { peak: after.peak - before.peak, rss: after.rss - before.rss };
    expect(growth.peak, JSON.stringify(growth)).toBeLessThan(16 * MiB);
    expect(growth.rss, JSON.stringify(growth)).toBeLessThan(16 * MiB);
  });

  it("accepts a gzip-encoded publish and stores the tarball it carried", async () => {
    const f = buildNpmPublishBody({ name: "gz-pub", version: "1.0.0", registry: w.registry });
    const res = await put("gz-pub", { key: w.keys.full, headers: { "content-encoding": "gzip" }, send: gzipSync(JSON.stringify(f.body)) });
    expect(res.status).toBe(201);
    const stored = w.storedFiles("gz-pub");
    expect(stored).toHaveLength(1);
    expect(readFileSync(path.join(w.dataDir, "packages", "npm", "gz-pub", stored[0]!))).toEqual(f.tarball);
    const version = await w.db.packageVersion.findFirst({ where: { package: { name: "gz-pub" } } });
    expect(version?.sha512).toBe(f.integrity.slice("sha512-".length));
  });

  it("answers 413 to a body over the limit that declares no length, counted as it arrives", async () => {
    const limit = Math.ceil(MAX_UPLOAD / 3) * 4 + 4 * MiB;
    const chunk = Buffer.alloc(MiB, "A");
    const res = await put("big-pub", {
      key: w.keys.full,
      send: [Buffer.from('{"_attachments":{"big-pub-1.0.0.tgz":{"data":"'), ...Array.from({ length: 6 }, () => chunk)],
      hold: true,
    });
    expect(res.status).toBe(413);
    expect(res.error).toBe(
      `The request body is larger than the ${Math.round((limit / MiB) * 10) / 10} MB limit of this npm feed (a package tarball of 1 MB (MAX_UPLOAD_MB), base64-encoded, with its manifest), counted after its Content-Encoding is decoded.`,
    );
    expect(res.headers.connection).toBe("close");
  });

  it("answers 413 to a tarball over MAX_UPLOAD_MB inside a body within the limit", async () => {
    const f = buildNpmPublishBody({ name: "big-tgz", version: "1.0.0", registry: w.registry });
    const body = {
      ...f.body,
      _attachments: {
        "big-tgz-1.0.0.tgz": { content_type: "application/octet-stream", data: Buffer.alloc(MAX_UPLOAD + 3).toString("base64"), length: MAX_UPLOAD + 3 },
      },
    };
    const res = await put("big-tgz", { key: w.keys.full, send: Buffer.from(JSON.stringify(body)) });
    expect(res.status).toBe(413);
    expect(res.error).toBe('The attachment "big-tgz-1.0.0.tgz" is larger than the 1 MiB upload limit of this feed.');
    expect(w.storedFiles("big-tgz")).toEqual([]);
  });

  it("answers 413 to a manifest over the JSON cap", async () => {
    const f = buildNpmPublishBody({ name: "big-readme", version: "1.0.0", registry: w.registry, readme: "r".repeat(5 * MiB) });
    const res = await put("big-readme", { key: w.keys.full, send: Buffer.from(JSON.stringify(f.body)) });
    expect(res.status).toBe(413);
    expect(res.error).toBe(
      "The request's JSON without the package tarball (manifest, readme, dist-tags) is too large: held in memory it would exceed the 4 MiB limit of this feed.",
    );
  });

  it.each([
    ["not JSON", Buffer.from("{nope"), 'The request body is not valid JSON: unexpected "n" at byte 1.'],
    [
      "JSON cut short",
      Buffer.from('{"name":"cut","versions":{'),
      "The request body is not valid JSON: it ends before the JSON is complete (was the upload cut short?).",
    ],
    ["bad base64", Buffer.from('{"name":"b64","_attachments":{"b64-1.0.0.tgz":{"data":"QU$D"}}}'), "The tarball attachment's data is not valid base64."],
    ["gzip that does not decode", Buffer.from("not gzip"), "The upload's gzip data is damaged or incomplete and cannot be decoded."],
  ])("answers 400 to %s", async (label, send, message) => {
    const res = await put("bad-body", { key: w.keys.full, headers: label.startsWith("gzip") ? { "content-encoding": "gzip" } : {}, send });
    expect(res.status).toBe(400);
    expect(res.error).toBe(message);
  });
});

describe("small PUTs are decoded with a small cap", () => {
  it("answers 413 to an unpublish body that inflates past 4 MB", async () => {
    expect((await api.publish({ name: "small-cap", version: "1.0.0" }, w.keys.full)).status).toBe(201);
    const inflates = await gzipOf('{"name":"small-cap","readme":"', Buffer.alloc(MiB, "A"), 5, '"}');
    const res = await put("small-cap/-rev/1-abc", { key: w.keys.full, headers: { "content-encoding": "gzip" }, send: inflates });
    expect(res.status).toBe(413);
    expect(res.error).toBe("The request body is larger than the 4 MB limit of this npm feed.");
  });

  it("answers 413 to an unpublish body that would take too much memory as objects", async () => {
    const dense = Buffer.from(`[${Array.from({ length: 300_000 }, () => "{}").join(",")}]`);
    expect(dense.length).toBeLessThan(MiB);
    const res = await put("small-cap/-rev/1-abc", { key: w.keys.full, send: dense });
    expect(res.status).toBe(413);
    expect(res.error).toBe("The request's JSON is too large: held in memory it would exceed the 4 MiB limit of this feed.");
  });

  it("still deprecates through a streamed packument PUT", async () => {
    const doc = (await (await api.get("small-cap", { key: w.keys.full })).json()) as { versions: Record<string, Record<string, unknown>> };
    doc.versions["1.0.0"]!.deprecated = "use something else";
    expect((await api.put("small-cap", doc, { key: w.keys.full })).status).toBe(200);
    const after = (await (await api.get("small-cap", { key: w.keys.full })).json()) as typeof doc;
    expect(after.versions["1.0.0"]!.deprecated).toBe("use something else");
    expect(await errorOf(await api.put("small-cap", "just a string", { key: w.keys.full }))).toBe("The request body must be a JSON object (a packument).");
  });
});
