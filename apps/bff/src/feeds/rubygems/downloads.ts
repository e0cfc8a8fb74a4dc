// gems/{name}-{version}[-{platform}].gem and the quick/Marshal.4.8 specification that
// `gem install` fetches before it.
import { pipeline } from "node:stream/promises";
import type { RequestHandler } from "express";
import { notFound } from "../../errors.ts";
import { packageFileHeaders } from "../package-file-headers.ts";
import type { Services } from "../../services.ts";
import { gemFeed } from "./gem-feed.ts";
import { readableGemFile } from "./gem-file.ts";
import { quickSpec } from "./quick-spec.ts";
import { readStoredGem } from "./stored-gem.ts";

function baseName(file: string, ext: string): string {
  if (!file.endsWith(ext) || file.length === ext.length) throw notFound(`"${file}" is not a ${ext} file name; expected NAME-VERSION${ext}.`);
  return file.slice(0, -ext.length);
}

export function downloadGem(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await gemFeed(services, req);
    const { version } = await readableGemFile(services, req, res, feed, baseName(String(req.params.file), ".gem"));
    const size = await services.store.size(version.filePath);
    if (size === null) throw new Error(`package file ${version.filePath} is missing from the store`);
    res.status(200).type("application/octet-stream").set(packageFileHeaders(String(req.params.file)));
    res.setHeader("Content-Length", String(size));
    // A version's file never changes once pushed.
    res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
    if (req.method === "HEAD") return void res.end();
    await pipeline(services.store.read(version.filePath), res).catch((err: NodeJS.ErrnoException) => {
      // The client hung up before the file was sent: nobody to answer, nothing wrong here.
      if (err.code === "ERR_STREAM_PREMATURE_CLOSE") return;
      throw err;
    });
  };
}

export function quickSpecFile(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await gemFeed(services, req);
    const { pkg, version } = await readableGemFile(services, req, res, feed, baseName(String(req.params.file), ".gemspec.rz"));
    res.status(200).type("application/octet-stream").set(packageFileHeaders(String(req.params.file)));
    res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
    res.send(quickSpec(readStoredGem(version, pkg.name), version.createdAt));
  };
}
