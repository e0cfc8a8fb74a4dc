// Test helpers for uploads: bodies generated as streams (never allocated whole), a gzip
// bomb, and a client that reports how much of its body the server let it send and how
// much memory this process (the server runs in it) took meanwhile.
import { readdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { expect } from "vitest";

/** A body of `size` bytes starting with `head`, produced 64 KiB at a time as the socket takes it. */
export function generatedBody(size: number, head: Uint8Array = new Uint8Array(0)): Readable & { produced: () => number } {
  const chunk = Buffer.alloc(64 * 1024);
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= size) return void this.push(null);
      const first =
        produced === 0 && head.length > 0
          ? Buffer.concat([head, chunk]).subarray(0, Math.min(size, chunk.length))
          : chunk.subarray(0, Math.min(chunk.length, size - produced));
      produced += first.length;
      this.push(first);
    },
  });
  return Object.assign(stream, { produced: () => produced });
}

/** gzip of `decodedBytes` zeros, compressed as a stream: about a thousandth of the size. */
export async function gzipBomb(decodedBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const gzip = createGzip({ level: 9 });
  gzip.on("data", (c: Buffer) => parts.push(c));
  const done = new Promise((resolve, reject) => gzip.on("end", resolve).on("error", reject));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let left = decodedBytes; left > 0; left -= zeros.length) {
    if (!gzip.write(zeros.subarray(0, Math.min(zeros.length, left)))) await new Promise((r) => gzip.once("drain", r));
  }
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

export type UploadAnswer = {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
  /** Bytes of the body the client produced before the server answered and closed. */
  sent: number;
  /**
   * Largest growth of this process's ArrayBuffer memory (Buffers) while the request ran.
   * It includes buffers that have passed through and await collection: an upload that
   * streams many MiB shows some of those, one that is buffered shows its whole size.
   */
  arrayBuffersGrowth: number;
  /** Largest growth of this process's resident memory while the request ran. */
  rssGrowth: number;
};

/**
 * Sends a body (a generated stream or bytes) and resolves once the answer has arrived,
 * whether or not the server read the whole body; the server may cut the upload short.
 */
export function sendUpload(
  url: string,
  init: { method: string; headers: Record<string, string>; body: Uint8Array | (Readable & { produced?: () => number }) },
): Promise<UploadAnswer> {
  const before = process.memoryUsage();
  let peak = { arrayBuffers: before.arrayBuffers, rss: before.rss };
  const sample = () => {
    const m = process.memoryUsage();
    peak = { arrayBuffers: Math.max(peak.arrayBuffers, m.arrayBuffers), rss: Math.max(peak.rss, m.rss) };
  };
  const sampler = setInterval(sample, 5);
  return new Promise<UploadAnswer>((resolve, reject) => {
    const body = init.body;
    const produced = () => (body instanceof Uint8Array ? body.length : (body.produced?.() ?? 0));
    const req = http.request(url, { method: init.method, headers: init.headers, agent: false });
    let settled = false;
    const finish = (answer: Omit<UploadAnswer, "sent" | "arrayBuffersGrowth" | "rssGrowth">) => {
      if (settled) return;
      settled = true;
      sample();
      clearInterval(sampler);
      if (!(body instanceof Uint8Array)) body.destroy();
      req.destroy();
      resolve({ ...answer, sent: produced(), arrayBuffersGrowth: peak.arrayBuffers - before.arrayBuffers, rssGrowth: peak.rss - before.rss });
    };
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      const done = () => finish({ status: res.statusCode ?? 0, text, headers: res.headers });
      res.on("end", done);
      res.on("close", done);
    });
    // Writing into a socket the server closed fails (EPIPE, ECONNRESET): expected once it answered.
    req.on("error", (err) => {
      if (!settled && !answered) {
        clearInterval(sampler);
        settled = true;
        reject(err);
      }
    });
    if (body instanceof Uint8Array) req.end(body);
    else body.pipe(req);
  });
}

/** The temporary upload files left in a data folder: none may outlive its request. */
export function uploadsLeft(dataDir: string): string[] {
  try {
    return readdirSync(path.join(dataDir, "uploads"));
  } catch {
    return [];
  }
}

/** A push the gate must refuse before reading its body: what makes the key, and the answer expected. */
export type Refusal = [what: string, key: () => Promise<string | null>, status: number, message: string];

const MiB = 1024 * 1024;

/**
 * A refused upload answered before its body was read: the connection is closed, less
 * than `unread` bytes of the body went out, no memory held it and no temporary file is left.
 */
export function expectAnsweredUnread(answer: UploadAnswer, dataDir: string, unread: number): void {
  expect(answer.headers.connection).toBe("close");
  expect(answer.sent).toBeLessThan(unread);
  expect(answer.arrayBuffersGrowth).toBeLessThan(8 * MiB);
  // Resident memory moves with everything else in this process; a buffered body would add its whole size.
  expect(answer.rssGrowth).toBeLessThan(32 * MiB);
  expect(uploadsLeft(dataDir)).toEqual([]);
}
