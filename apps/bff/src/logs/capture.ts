// One middleware for every key-authenticated surface (feeds, Native API, management API):
// after the response, it queues an access-log entry when the request presented a key —
// failed attempts included. The gates (FeedAccess, the API gate) leave what they learnt
// about the key and the acting user on res.locals; this never sees a key's value.
import { createHash, type Hash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { CAPTURE_RESPONSE_BODY, type RequestKeyInfo, type RequestUserInfo } from "../http/request-key.ts";
import { clientIp } from "../http/client-ip.ts";
import type { AccessLogWriter } from "./writer.ts";
import type { UsageFact } from "@keyhouse/shared";
import type { LoggedEntry } from "./usage-summary.ts";
import { parseNpmPath } from "../feeds/npm/paths.ts";
import { scrubKeys, scrubText, scrubUrl, scrubValue } from "./scrub.ts";
import { decodeStorable, ESCAPED_NOTE, storableText, withoutCutSequence } from "./storable-text.ts";

export const BODY_LOG_LIMIT = 64 * 1024;

export type Surface = "feeds" | "native" | "keys";

/** Set by feed handlers for package uploads: logged as type, size and sha256 only. */
export type UploadInfo = { type: string; size: number; sha256: string };

const TEXT_TYPE = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

const TRUNCATED = "… [truncated]";

/**
 * At most BODY_LOG_LIMIT bytes of UTF-8: the text, then `tail` (notes and the truncation
 * marker); text that does not fit is cut and marked.
 */
export function truncate(text: string, tail = ""): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short texts need no encoding.
  if ((text.length + tail.length) * 3 <= BODY_LOG_LIMIT) return text + tail;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length + Buffer.byteLength(tail) <= BODY_LOG_LIMIT) return text + tail;
  const end = tail.endsWith(TRUNCATED) ? tail : tail + TRUNCATED;
  const cut = withoutCutSequence(bytes.subarray(0, BODY_LOG_LIMIT - Buffer.byteLength(end)));
  return Buffer.from(cut.buffer, cut.byteOffset, cut.byteLength).toString("utf8") + end;
}

/**
 * Body bytes as the log keeps them: cut to BODY_LOG_LIMIT before anything is decoded (a
 * 300 MB body costs 64 KiB of work), bytes that are not UTF-8 escaped, then scrubbed.
 */
function bodyText(bytes: Uint8Array, cutAlready: boolean, type: string, scrub: (text: string, type: string) => string): string {
  const cut = cutAlready || bytes.length > BODY_LOG_LIMIT;
  const { text, escaped } = decodeStorable(cut ? withoutCutSequence(bytes.subarray(0, BODY_LOG_LIMIT)) : bytes);
  return truncate(scrub(text, type), (escaped ? ESCAPED_NOTE : "") + (cut ? TRUNCATED : ""));
}

const describeBinary = (type: string, size: number) => `[binary body: ${type || "no content type"}, ${size} bytes]`;
const describeUpload = (u: UploadInfo) => `[package file: ${storableText(u.type).slice(0, 200)}, ${u.size} bytes, sha256 ${u.sha256}]`;

/**
 * Feed requests whose body is a package file (NuGet push PUT, npm publish PUT, RubyGems
 * push POST): never logged as text, whatever their Content-Type (docs/access-logs.md).
 * On npm a PUT to a package's own URL is a publish or an edit of its document; the
 * dist-tag and "-rev" PUTs never carry a tarball.
 */
function isUploadRoute(req: Request): boolean {
  const [, ecosystem, , ...rest] = req.originalUrl.split("?")[0]!.split("/");
  if (ecosystem === "nuget") return req.method === "PUT";
  if (ecosystem === "rubygems") return req.method === "POST";
  if (ecosystem !== "npm" || req.method !== "PUT") return false;
  try {
    const kind = parseNpmPath(`/${rest.join("/")}`)?.kind;
    return kind !== "distTag" && kind !== "packageRev";
  } catch {
    return true;
  }
}

/** A body with content that was not read (refused first): never read just to be logged. */
const NOT_READ = "[body not read]";
const hasBody = (req: Request) => Number(req.get("content-length")) > 0 || req.get("transfer-encoding") !== undefined;

const noBytes = () => 0;

/** Upload bytes a handler kept in memory without describing them: described here, never shown. */
function inMemoryUpload(req: Request, body: Buffer): boolean {
  // An npm document edit (a deprecation, say) is JSON without a tarball: logged as text.
  return !(req.originalUrl.startsWith("/npm/") && !body.includes('"_attachments"'));
}

function requestBodyOf(req: Request, res: Response, surface: Surface): string | null {
  const upload = res.locals.keyhouseUpload as UploadInfo | undefined;
  if (upload) return describeUpload(upload);
  const type = req.get("content-type") ?? "";
  const body: unknown = req.body;
  // A read has no body: whether the route takes uploads is asked only when one came.
  if (body === undefined || body === null) return hasBody(req) && surface === "feeds" && isUploadRoute(req) ? NOT_READ : null;
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) return null;
    if (surface === "feeds" && isUploadRoute(req) && inMemoryUpload(req, body)) {
      return `[upload: ${storableText(type || "no content type").slice(0, 200)}, ${body.length} bytes, sha256 ${createHash("sha256").update(body).digest("hex")}]`;
    }
    return TEXT_TYPE.test(type) ? bodyText(body, false, type, scrubText) : describeBinary(type, body.length);
  }
  // Parsed already (express.json, urlencoded, an npm document edit) within their limits; JSON.stringify escapes NUL and lone surrogates.
  if (typeof body === "object") return Object.keys(body).length ? truncate(JSON.stringify(scrubValue(body))) : null;
  return typeof body === "string" && body ? truncate(storableText(scrubText(body, type))) : null;
}

// Feed reads answer the same bytes to many clients (a packument, a service index, from
// the feeds' caches), and scrubbing one costs a JSON parse and stringify: the last few
// results are kept (scrubText is a pure function of text and type). Only for feed GETs,
// whose answers never carry a key value, so no plaintext key is ever held here.
const SCRUBBED_MAX = 16;
const scrubbedReads = new Map<string, { type: string; out: string }>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= SCRUBBED_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

function scrubRead(text: string, type: string): string {
  const hit = scrubbedReads.get(text);
  if (hit && hit.type === type) return hit.out;
  return remember(scrubbedReads, text, { type, out: scrubText(text, type) }).out;
}

// A feed read whose whole answer is one string (an npm packument is the very string the
// package cache rendered, for every client within its TTL): the logged text, as bodyText
// makes it, kept per string and type. Finding the same string object again costs a hash
// lookup, with no encoding, decoding, scrubbing or copying; an equal string, one compare.
const loggedReads = new Map<string, { type: string; out: string }>();

const NUL_OR_SURROGATE = /[\u0000\uD800-\uDFFF]/;

/** Strings longer than this (in UTF-16 units) are not kept: the cache holds at most 16 of them. */
const LOGGED_READ_MAX = 4 * BODY_LOG_LIMIT;

function loggedRead(text: string, type: string): string {
  const hit = loggedReads.get(text);
  if (hit && hit.type === type) return hit.out;
  // Text with no NUL and no lone surrogate, within the limit, is what its UTF-8 bytes decode
  // back to: bodyText's answer without the round trip. Anything else takes the byte path,
  // which encodes only the front of a long string.
  const plain =
    text.length <= BODY_LOG_LIMIT && !NUL_OR_SURROGATE.test(text) && (text.length * 3 <= BODY_LOG_LIMIT || Buffer.byteLength(text) <= BODY_LOG_LIMIT);
  let out: string;
  if (plain) out = truncate(scrubText(text, type));
  else {
    const front = frontOf(text, "utf8", BODY_LOG_LIMIT)!;
    out = bodyText(front.bytes, front.more, type, scrubText);
  }
  return text.length <= LOGGED_READ_MAX ? remember(loggedReads, text, { type, out }).out : out;
}

/**
 * What a response sent, as it is logged. A first chunk that is a UTF-8 string is held as
 * it is (strings cannot change), and turned into bytes only if more chunks follow; other
 * chunks are copied as bytes, at most BODY_LOG_LIMIT of them.
 */
type ResponseCapture = { text: string | null; chunks: Buffer[] | null; kept: number; cut: boolean; binaryLength: number; binaryHash: Hash | null };

function responseBodyOf(r: ResponseCapture, type: string, feedRead: boolean): string | null {
  if (r.text !== null) {
    if (feedRead) return loggedRead(r.text, type);
    const front = frontOf(r.text, "utf8", BODY_LOG_LIMIT)!;
    return bodyText(front.bytes, front.more, type, scrubText);
  }
  if (r.chunks) return bodyText(r.chunks.length === 1 ? r.chunks[0]! : Buffer.concat(r.chunks), r.cut, type, feedRead ? scrubRead : scrubText);
  return r.binaryHash ? `${describeBinary(type, r.binaryLength).slice(0, -1)}, sha256 ${r.binaryHash.digest("hex")}]` : null;
}

const isUtf8Encoding = (encoding: unknown) => typeof encoding !== "string" || /^utf-?8$/i.test(encoding);

/** The front of a response chunk, at most `room` bytes of it, copied (never the whole of a large chunk). */
export function frontOf(chunk: unknown, encoding: unknown, room: number): { bytes: Buffer; more: boolean } | null {
  if (typeof chunk === "string") {
    // Any encoding takes at most 2 characters a byte (hex): encode only the front of a long string.
    const front = chunk.length > room * 2 + 4 ? chunk.slice(0, room * 2 + 4) : chunk;
    const bytes = Buffer.from(front, typeof encoding === "string" && Buffer.isEncoding(encoding) ? encoding : "utf8");
    return { bytes: bytes.subarray(0, room), more: bytes.length > room || front.length < chunk.length };
  }
  if (!(chunk instanceof Uint8Array)) return null;
  return { bytes: Buffer.from(chunk.subarray(0, room)), more: chunk.byteLength > room };
}

/** Integer columns are 32-bit: a count past that is stored as the largest they hold. */
const INT_MAX = 2 ** 31 - 1;
const storableInt = (n: number) => Math.min(INT_MAX, Math.max(0, Math.round(n) || 0));

/** A text the entry takes from the request or the key, in a form both databases store. */
const storableOrNull = (text: string | null | undefined): string | null => (typeof text === "string" ? storableText(text) : (text ?? null));

/** The second segment of the path (/npm/{feed}/…). */
function feedOf(surface: Surface, url: string): string | null {
  if (surface !== "feeds") return null;
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const from = path.indexOf("/", path.indexOf("/") + 1) + 1;
  if (from === 0) return null;
  const to = path.indexOf("/", from);
  const segment = to < 0 ? path.slice(from) : path.slice(from, to);
  if (!segment) return null;
  if (!segment.includes("%")) return segment.slice(0, 100);
  try {
    return decodeURIComponent(segment).slice(0, 100);
  } catch {
    return segment.slice(0, 100);
  }
}

/**
 * The body bytes that reached the request so far: what the client actually sent in, not
 * the Content-Length it declared (a refused 240 MB upload sent a few KiB before the
 * answer closed the connection). Counted where Node's HTTP parser hands them to the
 * request (push), whether or not anyone reads them; bytes pushed before this
 * middleware ran are still buffered in the request, as nothing has read the body yet.
 */
function countBodyBytes(req: Request): () => number {
  // Without Content-Length or Transfer-Encoding an HTTP/1.1 request has no body, and
  // Node's parser hands it none (the reads that make up most requests).
  if (!hasBody(req) && req.readableLength === 0) return noBytes;
  let bytes = req.readableLength;
  const push = req.push;
  req.push = function (this: Request, chunk: unknown, encoding?: BufferEncoding) {
    if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
    return push.call(this, chunk, encoding);
  };
  return () => bytes;
}

export function accessLogCapture(writer: AccessLogWriter, surface: Surface): RequestHandler {
  return (req, res, next) => {
    // Only benchmarks turn the writer off, to measure what capturing costs.
    if (writer.disabled) return next();
    const startedAt = new Date();
    const start = performance.now();
    const socket = req.socket;
    const bytesBefore = socket.bytesWritten;
    const bodyBytes = countBodyBytes(req);
    const response: ResponseCapture = { text: null, chunks: null, kept: 0, cut: false, binaryLength: 0, binaryHash: null };

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
          const bytes =
            typeof chunk === "string"
              ? Buffer.from(chunk, typeof encoding === "string" && Buffer.isEncoding(encoding) ? encoding : "utf8")
              : chunk instanceof Uint8Array
                ? chunk
                : null;
          if (bytes) {
            response.binaryLength += bytes.byteLength;
            (response.binaryHash ??= createHash("sha256")).update(bytes);
          }
          return;
        }
        // Kept as bytes, and only up to the limit as they come: the rest is never copied or decoded.
        if (response.cut) return;
        if (typeof chunk === "string" && response.text === null && response.chunks === null && isUtf8Encoding(encoding)) {
          response.text = chunk;
          return;
        }
        if (response.text !== null) {
          // A second chunk: the first one, held as a string, becomes bytes like the others.
          const first = frontOf(response.text, "utf8", BODY_LOG_LIMIT)!;
          response.text = null;
          response.chunks = first.bytes.length > 0 ? [first.bytes] : [];
          response.kept = first.bytes.length;
          response.cut = first.more;
          if (response.cut) return;
        }
        const front = frontOf(chunk, encoding, BODY_LOG_LIMIT - response.kept);
        if (!front) return;
        if (front.bytes.length > 0) (response.chunks ??= []).push(front.bytes);
        response.kept += front.bytes.length;
        response.cut = front.more;
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
      // This runs in an event listener, where a throw would end the process: an odd body
      // costs the entry its bodies, never the entry.
      let requestBody: string | null = null;
      let responseBody: string | null = null;
      try {
        if (key.logRequestBody) requestBody = requestBodyOf(req, res, surface);
        if (key.logResponseBody) {
          const feedRead = surface === "feeds" && (req.method === "GET" || req.method === "HEAD");
          responseBody = responseBodyOf(response, String(res.getHeader("content-type") ?? ""), feedRead);
        }
      } catch {
        requestBody = key.logRequestBody ? "[body could not be logged]" : null;
        responseBody = null;
      }
      const userAgent = req.get("user-agent");
      // Built once, every text in a form both databases store (storableText).
      const entry: LoggedEntry = {
        at: startedAt,
        keyId: key.keyId,
        keyName: storableOrNull(key.keyName),
        keyHint: storableOrNull(key.keyHint),
        keyStatus: key.status,
        ownerId: key.ownerId,
        userId: user?.id ?? null,
        username: storableOrNull(user?.username),
        surface,
        feed: storableOrNull(feedOf(surface, req.originalUrl)),
        method: storableText(req.method.slice(0, 16)),
        path: storableText(scrubUrl(req.originalUrl).slice(0, 2000)),
        // The client went before an answer was sent: nginx's "client closed request".
        status: res.headersSent ? res.statusCode : 499,
        durationMs: Math.round((performance.now() - start) * 100) / 100,
        ip: storableOrNull(clientIp(req)),
        userAgent: userAgent ? storableText(scrubKeys(userAgent).slice(0, 512)) : null,
        bytesIn: storableInt(bodyBytes()),
        bytesOut: storableInt(socket.bytesWritten - bytesBefore),
        requestBody,
        responseBody,
        // What the gates allowed, for the keys' usage summary (usage-summary.ts); not a column.
        usage: (res.locals.keyhouseUsage as UsageFact[] | undefined) ?? null,
      };
      writer.add(entry);
    };
    // "close" follows "finish" on the next tick, and comes alone when the client went first.
    res.on("close", finish);

    const ready = writer.ready();
    if (ready) ready.then(() => next(), next);
    else next();
  };
}
