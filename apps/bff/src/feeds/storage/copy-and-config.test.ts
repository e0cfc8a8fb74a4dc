// `npm run storage:copy` between a folder and the database, run as the command it is, and
// STORAGE_URL's checks at start-up.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../config.ts";
import { createNpmWorld, npmHttp, type NpmWorld } from "../npm/test-world.ts";
import { DatabaseStorage } from "./database.ts";
import { parseStorageUrl } from "./location.ts";

const run = promisify(execFile);
const BFF = path.resolve(import.meta.dirname, "../../..");

describe("npm run storage:copy -- FROM TO", () => {
  let w: NpmWorld;
  beforeAll(async () => {
    w = await createNpmWorld();
    const http = npmHttp(w);
    for (const name of ["copy-a", "copy-b"]) expect((await http.publish({ name, version: "1.0.0" }, w.keys.full)).status).toBe(201);
  });
  afterAll(() => w?.close());

  const copy = (from: string, to: string) =>
    run(path.join(BFF, "node_modules/.bin/tsx"), ["scripts/storage-copy.ts", "--", from, to], {
      cwd: BFF,
      env: { ...process.env, DATABASE_URL: w.t.url, KEYHOUSE_DATA_DIR: w.dataDir, KEYHOUSE_SECRET: "x".repeat(32) },
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );

  it("copies every file a version points at, checking sha512, and copies nothing the second time", { timeout: 120_000 }, async () => {
    const from = `file:${path.join(w.dataDir, "packages")}`;
    expect(await copy(from, "database")).toEqual({ code: 0, out: expect.stringContaining("copied 2, already there 0, missing at FROM 0, sha512 mismatch 0") });
    const db = new DatabaseStorage(w.db, w.t.url);
    for (const row of await w.db.packageVersion.findMany()) expect(await db.size(row.filePath)).toBe(row.fileSize);
    expect(await copy(from, "database")).toEqual({ code: 0, out: expect.stringContaining("copied 0, already there 2, missing at FROM 0, sha512 mismatch 0") });
    const gone = await w.db.packageVersion.findFirstOrThrow({ where: { package: { name: "copy-a" } } });
    rmSync(path.join(w.dataDir, "packages", gone.filePath));
    expect(await copy(from, `file:${path.join(w.dataDir, "elsewhere")}`)).toEqual({
      code: 1,
      out: expect.stringContaining("copied 1, already there 0, missing at FROM 1, sha512 mismatch 0"),
    });
  });
});

describe("STORAGE_URL at start-up", () => {
  it("takes the three forms and defaults to the data folder's packages", () => {
    expect(loadConfig({ KEYHOUSE_SECRET: "x".repeat(32), KEYHOUSE_DATA_DIR: "/tmp/kh-data" }).storage).toEqual({ kind: "file", root: "/tmp/kh-data/packages" });
    expect(parseStorageUrl("database", "/")).toEqual({ kind: "database" });
    expect(parseStorageUrl("s3://my-bucket/keyhouse/pkgs?endpoint=http://127.0.0.1:9000&region=eu-west-1", "/")).toEqual({
      kind: "s3",
      bucket: "my-bucket",
      prefix: "keyhouse/pkgs/",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      forcePathStyle: true,
    });
  });

  it.each([
    ["ftp://x", "must be file:PATH, database, or s3://"],
    ["s3://ab", "names a bucket S3 would refuse"],
    ["s3://key:secret@bucket-name/p", "must not hold credentials"],
    ["s3://bucket-name?endpoint=localhost:9000", "endpoint must be an http:// or https:// URL"],
    ["s3://bucket-name?pathStyle=1", 'has an unknown parameter "pathStyle"'],
  ])("refuses %s, naming the variable, without repeating the value", (value, message) => {
    const attempt = () => loadConfig({ KEYHOUSE_SECRET: "x".repeat(32), KEYHOUSE_DATA_DIR: "/tmp/kh-data", STORAGE_URL: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`STORAGE_URL: ${message.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
    try {
      attempt();
    } catch (e) {
      expect((e as Error).message).not.toContain("secret@");
    }
  });
});
