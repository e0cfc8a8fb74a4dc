// Compact-index files are rebuilt per request, so they are answered whole: a Range
// request gets the full file (200), which Bundler accepts and stores in place of its
// copy. The ETag is the quoted MD5 of the body, the form Bundler checks a download
// against, and lets an unchanged index be answered with 304.
import { createHash } from "node:crypto";
import type { Request, Response } from "express";

export function sendIndexFile(req: Request, res: Response, body: string): void {
  const etag = `"${createHash("md5").update(body).digest("hex")}"`;
  res.setHeader("ETag", etag);
  res.setHeader("Cache-Control", "private, no-cache");
  res.setHeader("Repr-Digest", `sha-256=:${createHash("sha256").update(body).digest("base64")}:`);
  res.setHeader("Accept-Ranges", "none");
  const ifNoneMatch = req.get("if-none-match");
  if (ifNoneMatch?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type("text/plain; charset=utf-8").send(body);
}
