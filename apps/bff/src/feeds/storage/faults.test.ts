// Store faults seen by a client of the real feeds: an S3 answer cut off half-way, and a
// file the store does not hold (npm answered 404 "missing from the package store" before).
import net from "node:net";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNpmWorld, npmHttp, type NpmWorld } from "../npm/test-world.ts";
import { createNuGetWorld, type NuGetWorld } from "../nuget/testing.ts";
import { startS3, type TestS3 } from "./s3.testing.ts";
import { UNAVAILABLE_MESSAGE } from "./types.ts";

/** A TCP proxy to the S3 server that, while `cutting`, ends each GET's answer 10 bytes into its body. */
async function cuttingProxy(port: number) {
  const state = { cutting: false };
  const server = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    let cutThis = false;
    let seen = Buffer.alloc(0);
    client.on("data", (d) => {
      if (state.cutting && d.subarray(0, 4).toString() === "GET ") {
        cutThis = true;
        seen = Buffer.alloc(0);
      }
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      if (!cutThis) return void client.write(d);
      seen = Buffer.concat([seen, d]);
      const head = seen.indexOf("\r\n\r\n");
      if (head < 0) return;
      client.write(seen.subarray(0, head + 4 + 10));
      client.destroy();
      upstream.destroy();
    });
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { state, port: (server.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("an S3 answer cut off half-way", () => {
  let s3: TestS3;
  let proxy: Awaited<ReturnType<typeof cuttingProxy>>;
  let w: NpmWorld;
  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket("cut-bucket");
    proxy = await cuttingProxy(s3.port);
    w = await createNpmWorld({ storage: { ...s3.location("cut-bucket"), endpoint: `http://127.0.0.1:${proxy.port}` } });
  });
  afterAll(async () => {
    await w?.close();
    await proxy?.close();
    await s3?.close();
  });

  it("ends the client's connection instead of sending a short tarball as complete", async () => {
    const http = npmHttp(w);
    expect((await http.publish({ name: "cut-short", version: "1.0.0" }, w.keys.full)).status).toBe(201);
    const whole = await http.get("cut-short/-/cut-short-1.0.0.tgz", { key: w.keys.full });
    const size = (await whole.arrayBuffer()).byteLength;
    expect(size).toBeGreaterThan(10);
    proxy.state.cutting = true;
    const res = await http.get("cut-short/-/cut-short-1.0.0.tgz", { key: w.keys.full });
    // The store's headers came whole, so ours went out: the body then breaks off.
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(size));
    await expect(res.arrayBuffer()).rejects.toThrow();
    proxy.state.cutting = false;
  });
});

describe("a package file the store does not hold", () => {
  let w: NpmWorld;
  beforeAll(async () => {
    w = await createNpmWorld();
  });
  afterAll(() => w?.close());

  it("answers 503 with a message for the npm tarball (the file store)", async () => {
    const http = npmHttp(w);
    expect((await http.publish({ name: "gone-file", version: "1.0.0" }, w.keys.full)).status).toBe(201);
    const row = await w.db.packageVersion.findFirstOrThrow({ where: { package: { name: "gone-file" } } });
    rmSync(path.join(w.dataDir, "packages", row.filePath));
    const res = await http.get("gone-file/-/gone-file-1.0.0.tgz", { key: w.keys.full });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe(UNAVAILABLE_MESSAGE);
  });
});

describe("a .nupkg the file store does not hold", () => {
  let w: NuGetWorld;
  beforeAll(async () => {
    w = await createNuGetWorld();
  });
  afterAll(() => w?.close());

  // Issue 11's report: a .nupkg pushed through another instance answered 500 "Tell an administrator".
  it("answers 503 with the message, not 500", async () => {
    const key = await w.key({ scopes: ["push"] });
    expect((await w.push(key, { id: "Gone.Pkg", version: "1.0.0" })).status).toBe(201);
    const row = await w.db.packageVersion.findFirstOrThrow({});
    rmSync(path.join(w.dataDir, "packages", row.filePath));
    const res = await w.get("/nuget/main/v3-flatcontainer/gone.pkg/1.0.0/gone.pkg.1.0.0.nupkg", key);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe(UNAVAILABLE_MESSAGE);
  });
});
