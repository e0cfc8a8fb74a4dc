// One middleware for every key-authenticated surface (feeds, Native API, management API):
// after the response, it queues an access-log entry when the request presented a key —
// failed attempts included. The gates (FeedAccess, the API gate) leave what they learnt
// about the key and the acting user on res.locals; this never sees a key's value.
import { createHash, type Hash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { CAPTURE_RESPONSE_BODY, type RequestKeyInfo, type RequestUserInfo } from "../http/request-key.ts";
import { clientIp } from "../http/client-ip.ts";
import type { AccessLogInput, AccessLogWriter } from "./writer.ts";
import { scrubKeys, scrubText, scrubUrl, scrubValue } from "./scrub.ts";

export const BODY_LOG_LIMIT = 64 * 1024;

export type Surface = "feeds" | "native" | "keys";

/** Set by feed handlers for package uploads: logged as type, size and sha256 only. */
export type UploadInfo = { type: string; size: number; sha256: string };

const TEXT_TYPE = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

const TRUNCATED = "… [truncated]";

/** At most BODY_LOG_LIMIT bytes of UTF-8, the marker included. */
export function truncate(text: string): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short texts need no encoding.
  if (text.length * 3 <= BODY_LOG_LIMIT) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= BODY_LOG_LIMIT) return text;
  // Cutting mid-character leaves a U+FFFD (3 bytes) in place of 1 to 3 bytes: stay under.
  const room = BODY_LOG_LIMIT - Buffer.byteLength(TRUNCATED) - 3;
  return bytes.subarray(0, room).toString("utf8") + TRUNCATED;
}

const describeBinary = (type: string, size: number) => `[binary body: ${type || "no content type"}, ${size} bytes]`;

function requestBodyOf(req: Request, res: Response): string | null {
  const upload = res.locals.keyhouseUpload as UploadInfo | undefined;
  if (upload) return `[package file: ${upload.type}, ${upload.size} bytes, sha256 ${upload.sha256}]`;
  const type = req.get("content-type") ?? "";
  const body: unknown = req.body;
  if (body === undefined || body === null) return null;
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) return null;
    return TEXT_TYPE.test(type) ? truncate(scrubText(body.toString("utf8"), type)) : describeBinary(type, body.length);
  }
  if (typeof body === "object") return Object.keys(body).length ? truncate(JSON.stringify(scrubValue(body))) : null;
  return typeof body === "string" && body ? truncate(scrubText(body, type)) : null;
}

// Feed reads answer the same bytes to many clients (a packument, a service index, from
// the feeds' caches), and scrubbing one costs a JSON parse and stringify: the last few
// results are kept (scrubText is a pure function of text and type). Only for feed GETs,
// whose answers never carry a key value, so no plaintext key is ever held here.
const SCRUBBED_MAX = 16;
const scrubbedReads = new Map<string, { type: string; out: string }>();

function scrubRead(text: string, type: string): string {
  if (text.length > BODY_LOG_LIMIT) return scrubText(text, type);
  const hit = scrubbedReads.get(text);
  if (hit && hit.type === type) return hit.out;
  const out = scrubText(text, type);
  if (scrubbedReads.size >= SCRUBBED_MAX) scrubbedReads.delete(scrubbedReads.keys().next().value!);
  scrubbedReads.set(text, { type, out });
  return out;
}

function responseBodyOf(text: string[] | null, type: string, binary: { length: number; hash: Hash | null }, feedRead: boolean): string | null {
  if (text) {
    const whole = text.length === 1 ? text[0]! : text.join("");
    return truncate(feedRead ? scrubRead(whole, type) : scrubText(whole, type));
  }
  return binary.hash ? `${describeBinary(type, binary.length).slice(0, -1)}, sha256 ${binary.hash.digest("hex")}]` : null;
}

function feedOf(surface: Surface, url: string): string | null {
  if (surface !== "feeds") return null;
  const segment = url.split("?")[0]!.split("/")[2];
  if (!segment) return null;
  try {
    return decodeURIComponent(segment).slice(0, 100);
  } catch {
    return segment.slice(0, 100);
  }
}

export function accessLogCapture(writer: AccessLogWriter, surface: Surface): RequestHandler {
  return (req, res, next) => {
    // Only benchmarks turn the writer off, to measure what capturing costs.
    if (writer.disabled) return next();
    const startedAt = new Date();
    const start = performance.now();
    const socket = req.socket;
    const bytesBefore = socket.bytesWritten;
    let responseText: string[] | null = null;
    let responseLength = 0;
    let binaryLength = 0;
    let binaryHash: Hash | null = null;

    // Response bodies are only kept when the key asks: the gate, which runs before any
    // write, calls this once it knows such a key (describeRequestKey); other requests
    // keep res.write and res.end as they are.
    res.locals[CAPTURE_RESPONSE_BODY] = () => {
      if (res.locals[CAPTURE_RESPONSE_BODY] === undefined) return;
      res.locals[CAPTURE_RESPONSE_BODY] = undefined;
      const original = { write: res.write, end: res.end };
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (!chunk || typeof chunk === "function" || !(res.locals.keyhouseKey as RequestKeyInfo | undefined)?.logResponseBody) return;
        // Binary answers (package files) are described, not kept; the headers are set by the first write.
        if (!TEXT_TYPE.test(String(res.getHeader("content-type") ?? ""))) {
          const bytes = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8") : chunk instanceof Uint8Array ? chunk : null;
          if (bytes) {
            binaryLength += bytes.byteLength;
            (binaryHash ??= createHash("sha256")).update(bytes);
          }
          return;
        }
        if (responseLength > BODY_LOG_LIMIT) return;
        const text = Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : typeof encoding === "string" && encoding !== "utf8" ? Buffer.from(chunk as string, encoding as BufferEncoding).toString("utf8") : chunk);
        (responseText ??= []).push(text);
        responseLength += text.length;
      };
      res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
        keep(chunk, rest[0]);
        return (original.write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as Response["write"];
      res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
        keep(chunk, rest[0]);
        return (original.end as (...a: unknown[]) => Response).call(this, chunk, ...rest);
      } as Response["end"];
    };

    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const key = res.locals.keyhouseKey as RequestKeyInfo | undefined;
      if (!key) return;
      const user = res.locals.keyhouseUser as RequestUserInfo | undefined;
      const type = String(res.getHeader("content-type") ?? "");
      const entryOf = (withBodies: boolean): AccessLogInput => ({
        at: startedAt,
        keyId: key.keyId,
        keyName: key.keyName,
        keyHint: key.keyHint,
        keyStatus: key.status,
        ownerId: key.ownerId,
        userId: user?.id ?? null,
        username: user?.username ?? null,
        surface,
        feed: feedOf(surface, req.originalUrl),
        method: req.method.slice(0, 16),
        path: scrubUrl(req.originalUrl).slice(0, 2000),
        // The client went before an answer was sent: nginx's "client closed request".
        status: res.headersSent ? res.statusCode : 499,
        durationMs: Math.round((performance.now() - start) * 100) / 100,
        ip: clientIp(req),
        userAgent: req.get("user-agent") ? scrubKeys(req.get("user-agent")!).slice(0, 512) : null,
        bytesIn: Number(req.get("content-length")) || 0,
        bytesOut: Math.max(0, socket.bytesWritten - bytesBefore),
        requestBody: withBodies && key.logRequestBody ? requestBodyOf(req, res) : null,
        responseBody: withBodies && key.logResponseBody ? responseBodyOf(responseText, type, { length: binaryLength, hash: binaryHash }, surface === "feeds" && (req.method === "GET" || req.method === "HEAD")) : null,
      });
      // This runs in an event listener, where a throw would end the process: an odd body
      // costs the entry its bodies, never the entry.
      let entry: AccessLogInput;
      try {
        entry = entryOf(true);
      } catch {
        entry = { ...entryOf(false), requestBody: key.logRequestBody ? "[body could not be logged]" : null };
      }
      writer.add(entry);
    };
    res.once("finish", finish);
    res.once("close", finish);

    const ready = writer.ready();
    if (ready) ready.then(() => next(), next);
    else next();
  };
}
