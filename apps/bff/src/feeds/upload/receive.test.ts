import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpStatusOf } from "../../errors.ts";
import { receiveUpload, type ReceivedUpload } from "./receive.ts";
import { generatedBody, sendUpload } from "./testing.ts";

const MiB = 1024 * 1024;

let tmpDir: string;
let url: string;
let server: http.Server;
/** What the route saw: the file's bytes before dispose, and the access-log description. */
let seen: { bytes: Buffer | null; upload: Omit<ReceivedUpload, "dispose"> | null; logged: unknown };
/** Called with each error the route ends with (after receiveUpload has cleaned up). */
let onError: ((err: unknown) => void) | undefined;

beforeAll(async () => {
  tmpDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-receive-"));
  const app = express();
  app.put("/upload/:limit", async (req, res) => {
    const upload = await receiveUpload(req, res, { limitBytes: Number(req.params.limit), tmpDir });
    try {
      // Large uploads are only measured, never read back into memory here.
      seen = {
        bytes: upload.size <= MiB ? readFileSync(upload.path) : null,
        upload: { path: upload.path, size: upload.size, sha256: upload.sha256 },
        logged: res.locals.keyhouseUpload,
      };
    } finally {
      await upload.dispose();
    }
    res.json({ size: upload.size });
  });
  app.use(((err, _req, res, _next) => {
    onError?.(err);
    res.status(httpStatusOf(err)).json({ error: (err as Error).message });
  }) as express.ErrorRequestHandler);
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(tmpDir, { recursive: true, force: true });
});

const left = () => readdirSync(tmpDir);
const put = (body: Uint8Array, headers: Record<string, string> = {}, limit = 4 * MiB) =>
  sendUpload(`${url}/upload/${limit}`, { method: "PUT", headers: { "content-type": "application/octet-stream", ...headers }, body });

describe("receiveUpload", () => {
  const payload = Buffer.from("a package, or so it says ".repeat(4000));
  const sha256 = createHash("sha256").update(payload).digest("hex");

  it.each([
    ["no encoding", (b: Buffer) => b, undefined],
    ["gzip", (b: Buffer) => gzipSync(b), "gzip"],
    ["deflate", (b: Buffer) => deflateSync(b), "deflate"],
    ["br", (b: Buffer) => brotliCompressSync(b), "br"],
  ])("streams %s to a file, decoded and hashed, and describes it for the access log", async (_what, encode, encoding) => {
    const answer = await put(encode(payload), encoding ? { "content-encoding": encoding } : {});
    expect(answer.status).toBe(200);
    expect(seen.bytes?.equals(payload)).toBe(true);
    expect(seen.upload).toMatchObject({ size: payload.length, sha256 });
    expect(seen.logged).toEqual({
      type: encoding ? `application/octet-stream (${encoding}-encoded)` : "application/octet-stream",
      size: payload.length,
      sha256,
    });
    expect(path.dirname(seen.upload!.path)).toBe(tmpDir);
    expect(left()).toEqual([]);
  });

  it("refuses an unknown encoding with 415", async () => {
    const answer = await put(payload, { "content-encoding": "compress" });
    expect({ status: answer.status, error: JSON.parse(answer.text).error }).toEqual({
      status: 415,
      error: 'The upload\'s Content-Encoding "compress" is not supported; send it uncompressed or with gzip, deflate or br.',
    });
  });

  it("refuses a body that inflates past the limit with 413 and keeps nothing", async () => {
    const answer = await put(gzipSync(Buffer.alloc(8 * MiB)), { "content-encoding": "gzip" }, MiB);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error).toBe("The upload is larger than the 1 MB limit (MAX_UPLOAD_MB), counted after its Content-Encoding is decoded.");
    expect(left()).toEqual([]);
  });

  it("answers 400 for damaged encoded data", async () => {
    const answer = await put(Buffer.from("not gzip at all"), { "content-encoding": "gzip" });
    expect({ status: answer.status, error: JSON.parse(answer.text).error }).toEqual({
      status: 400,
      error: "The upload's gzip data is damaged or incomplete and cannot be decoded.",
    });
    expect(left()).toEqual([]);
  });

  it("answers 400 to a body cut short by the client and removes its file", async () => {
    const arrived = new Promise<void>((resolve) => server.once("request", (req: http.IncomingMessage) => req.once("data", () => resolve())));
    const failed = new Promise<unknown>((resolve) => (onError = resolve));
    const req = http.request(`${url}/upload/${4 * MiB}`, { method: "PUT", headers: { "content-length": String(2 * MiB) } });
    req.on("error", () => {});
    req.write(Buffer.alloc(64 * 1024));
    await arrived;
    req.destroy();
    const err = await failed;
    onError = undefined;
    expect({ status: httpStatusOf(err), message: (err as Error).message }).toEqual({
      status: 400,
      message: "The upload was interrupted before the whole body arrived.",
    });
    expect(left()).toEqual([]);
  });

  it("holds a few MiB at most while a large upload streams through", async () => {
    const answer = await sendUpload(`${url}/upload/${300 * MiB}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: generatedBody(200 * MiB),
    });
    expect(answer.status).toBe(200);
    expect(seen.upload?.size).toBe(200 * MiB);
    // Chunks that passed through await collection; a buffered body would show all 200 MiB.
    expect(answer.arrayBuffersGrowth).toBeLessThan(48 * MiB);
    expect(left()).toEqual([]);
  });
});
