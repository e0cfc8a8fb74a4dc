// One middleware for every key-authenticated surface (feeds, Native API, management API):
// after the response, it queues an access-log entry when the request presented a key —
// failed attempts included. The gates (FeedAccess, the API gate) leave what they learnt
// about the key and the acting user on res.locals; this never sees a key's value.
import type { Request, RequestHandler, Response } from "express";
import type { RequestKeyInfo, RequestUserInfo } from "../http/request-key.ts";
import { clientIp } from "../http/client-ip.ts";
import type { AccessLogInput, AccessLogWriter } from "./writer.ts";
import { redactText, redactUrl, redactValue } from "./redact.ts";

export const BODY_LOG_LIMIT = 64 * 1024;

export type Surface = "feeds" | "native" | "keys";

/** Set by feed handlers for package uploads: logged as type, size and sha256 only. */
export type UploadInfo = { type: string; size: number; sha256: string };

const TEXT_TYPE = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

function truncate(text: string): string {
  return text.length > BODY_LOG_LIMIT ? `${text.slice(0, BODY_LOG_LIMIT)}… [truncated]` : text;
}

function requestBodyOf(req: Request, res: Response): string | null {
  const upload = res.locals.keyhouseUpload as UploadInfo | undefined;
  if (upload) return `[package file: ${upload.type}, ${upload.size} bytes, sha256 ${upload.sha256}]`;
  const type = req.get("content-type") ?? "";
  const body: unknown = req.body;
  if (body === undefined || body === null) return null;
  if (Buffer.isBuffer(body)) return TEXT_TYPE.test(type) ? truncate(redactText(body.toString("utf8"), type)) : `[binary body: ${type || "no content type"}, ${body.length} bytes]`;
  if (typeof body === "object") return Object.keys(body).length ? truncate(JSON.stringify(redactValue(body))) : null;
  return typeof body === "string" ? truncate(redactText(body, type)) : null;
}

function feedOf(surface: Surface, url: string): string | null {
  if (surface !== "feeds") return null;
  const segment = url.split("?")[0]!.split("/")[2];
  return segment ? decodeURIComponent(segment).slice(0, 100) : null;
}

export function accessLogCapture(writer: AccessLogWriter, surface: Surface): RequestHandler {
  return (req, res, next) => {
    const startedAt = new Date();
    const start = performance.now();
    const socket = req.socket;
    const bytesBefore = socket.bytesWritten;
    let responseText: string[] | null = null;
    let responseLength = 0;

    // Response bodies are only kept when the key asks; the gate has run before any write.
    const original = { write: res.write, end: res.end };
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (!chunk || typeof chunk === "function" || !(res.locals.keyhouseKey as RequestKeyInfo | undefined)?.logResponseBody) return;
      if (responseLength >= BODY_LOG_LIMIT + 1) return;
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

    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const key = res.locals.keyhouseKey as RequestKeyInfo | undefined;
      if (!key) return;
      const user = res.locals.keyhouseUser as RequestUserInfo | undefined;
      const type = String(res.getHeader("content-type") ?? "");
      const entry: AccessLogInput = {
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
        path: redactUrl(req.originalUrl).slice(0, 2000),
        status: res.statusCode,
        durationMs: Math.round((performance.now() - start) * 100) / 100,
        ip: clientIp(req),
        userAgent: req.get("user-agent")?.slice(0, 512) ?? null,
        bytesIn: Number(req.get("content-length")) || 0,
        bytesOut: Math.max(0, socket.bytesWritten - bytesBefore),
        requestBody: key.logRequestBody ? requestBodyOf(req, res) : null,
        responseBody: key.logResponseBody && responseText && TEXT_TYPE.test(type) ? truncate(redactText((responseText as string[]).join(""), type)) : null,
      };
      writer.add(entry);
    };
    res.once("finish", finish);
    res.once("close", finish);

    const ready = writer.ready();
    if (ready) ready.then(() => next(), next);
    else next();
  };
}
