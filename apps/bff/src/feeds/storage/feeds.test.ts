// Pushes and downloads through the real npm feed with the package files in the database
// and in S3 (s3rver), and what a client gets when the store fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNpmPublishBody } from "../formats/npm.fixtures.ts";
import { createNpmWorld, errorOf, npmHttp, type NpmWorld } from "../npm/test-world.ts";
import { startS3, type TestS3 } from "./s3.testing.ts";
import { sweepOrphans } from "./sweep.ts";
import { DatabaseStorage } from "./database.ts";
import { UNAVAILABLE_MESSAGE } from "./types.ts";

const tarballOf = (_w: NpmWorld, name: string, version: string) => `${name}/-/${name}-${version}.tgz`;

describe("STORAGE_URL=database through the npm feed", () => {
  let w: NpmWorld;
  beforeAll(async () => {
    w = await createNpmWorld({ storage: { kind: "database" } });
  });
  afterAll(() => w?.close());

  it("publishes into chunk rows and serves the exact bytes, whole and as a range", async () => {
    const http = npmHttp(w);
    const fixture = buildNpmPublishBody({ registry: w.registry, name: "db-stored", version: "1.0.0" });
    expect((await http.publish({ name: "db-stored", version: "1.0.0" }, w.keys.full)).status).toBe(201);
    expect(w.storedFiles("db-stored")).toEqual([]);
    expect(await w.db.packageFile.count({ where: { complete: true } })).toBe(1);
    const whole = await http.get(tarballOf(w, "db-stored", "1.0.0"), { key: w.keys.full });
    expect(whole.status).toBe(200);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(whole.headers.get("content-length")).toBe(String(bytes.length));
    expect(bytes.length).toBe(fixture.tarball.length);
    const part = await http.get(tarballOf(w, "db-stored", "1.0.0"), { key: w.keys.full, headers: { range: "bytes=2-9" } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(2, 10));
  });

  it("answers 503 with a message, not 500, when a chunk of the file is missing", async () => {
    const http = npmHttp(w);
    expect((await http.publish({ name: "db-damaged", version: "1.0.0" }, w.keys.full)).status).toBe(201);
    const row = await w.db.packageVersion.findFirstOrThrow({ where: { package: { name: "db-damaged" } } });
    const file = await w.db.packageFile.findFirstOrThrow({ where: { key: row.filePath } });
    await w.db.packageFileChunk.deleteMany({ where: { fileId: file.id } });
    const res = await http.get(tarballOf(w, "db-damaged", "1.0.0"), { key: w.keys.full });
    expect(res.status).toBe(503);
    expect(await errorOf(res)).toBe(UNAVAILABLE_MESSAGE);
  });

  it("sweeps files no version points at once they are an hour old, and leaves the rest", async () => {
    const storage = new DatabaseStorage(w.db, w.t.url);
    await storage.put("npm/orphan/1.0.0-0123456789ab.tgz", [Buffer.from("left by a crash")]);
    const before = await w.db.packageVersion.count();
    expect(await sweepOrphans(w.db, storage, new Date())).toEqual({ orphans: 0, abandoned: 0 });
    const later = new Date(Date.now() + 2 * 60 * 60 * 1000);
    const swept = await sweepOrphans(w.db, storage, later);
    expect(swept.orphans).toBe(1);
    expect(await storage.get("npm/orphan/1.0.0-0123456789ab.tgz")).toBeNull();
    const rows = await w.db.packageVersion.findMany({ select: { filePath: true } });
    expect(rows).toHaveLength(before);
    for (const r of rows) expect(await storage.size(r.filePath)).not.toBeNull();
  });
});

describe("STORAGE_URL=s3://… through the npm feed (s3rver)", () => {
  let w: NpmWorld;
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket("feed-bucket");
    w = await createNpmWorld({ storage: s3.location("feed-bucket", "keyhouse/") });
  });
  afterAll(async () => {
    await w?.close();
    await s3?.close();
  });

  it("publishes into the bucket and serves the exact bytes", async () => {
    const http = npmHttp(w);
    const fixture = buildNpmPublishBody({ registry: w.registry, name: "s3-stored", version: "1.0.0" });
    expect((await http.publish({ name: "s3-stored", version: "1.0.0" }, w.keys.full)).status).toBe(201);
    const res = await http.get(tarballOf(w, "s3-stored", "1.0.0"), { key: w.keys.full });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(fixture.tarball.length);
  });

  it("answers 503 with a message on download and on publish while the S3 server is down, and stores no version", { timeout: 60_000 }, async () => {
    const http = npmHttp(w);
    expect((await http.publish({ name: "s3-down", version: "1.0.0" }, w.keys.full)).status).toBe(201);
    await s3.stop();
    try {
      const res = await http.get(tarballOf(w, "s3-down", "1.0.0"), { key: w.keys.full });
      expect(res.status).toBe(503);
      expect(await errorOf(res)).toBe(UNAVAILABLE_MESSAGE);
      const pushed = await http.publish({ name: "s3-down", version: "2.0.0" }, w.keys.full);
      expect(pushed.status).toBe(503);
      expect(await errorOf(pushed)).toBe(UNAVAILABLE_MESSAGE);
      expect((await w.db.packageVersion.findMany({ where: { package: { name: "s3-down" } } })).map((v) => v.version)).toEqual(["1.0.0"]);
    } finally {
      await s3.start();
    }
    expect((await http.get(tarballOf(w, "s3-down", "1.0.0"), { key: w.keys.full })).status).toBe(200);
  });
});
