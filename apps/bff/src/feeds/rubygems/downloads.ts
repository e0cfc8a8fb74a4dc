// gems/{name}-{version}[-{platform}].gem and the quick/Marshal.4.8 specification that
// `gem install` fetches before it.
import type { RequestHandler } from "express";
import { notFound } from "../../errors.ts";
import { packageFileHeaders } from "../package-file-headers.ts";
import { sendStoredFile } from "../storage/send.ts";
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
    await sendStoredFile(req, res, services.store, version.filePath, {
      ranges: false,
      log: services.log,
      // A version's file never changes once pushed.
      headers: {
        "Content-Type": "application/octet-stream",
        ...packageFileHeaders(String(req.params.file)),
        "Cache-Control": "private, max-age=31536000, immutable",
      },
    });
  };
}

export function quickSpecFile(services: Services): RequestHandler {
  return async (req, res) => {
    const feed = await gemFeed(services, req);
    const { pkg, version } = await readableGemFile(services, req, res, feed, baseName(String(req.params.file), ".gemspec.rz"));
    res
      .status(200)
      .type("application/octet-stream")
      .set(packageFileHeaders(String(req.params.file)));
    res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
    res.send(quickSpec(readStoredGem(version, pkg.name), version.createdAt));
  };
}
