// STORAGE_URL, parsed (docs/configuration.md). Kept free of the stores themselves so the
// configuration can check it without loading the AWS SDK.
import path from "node:path";
import type { StorageLocation } from "./types.ts";

export const STORAGE_URL_FORMS = "file:PATH, database, or s3://BUCKET/PREFIX?endpoint=URL&region=REGION&forcePathStyle=true";

/** Answers the location, or a message saying what is wrong; relative file paths are taken from `base`. */
export function parseStorageUrl(value: string, base: string, env: NodeJS.ProcessEnv = {}): StorageLocation | { error: string } {
  const v = value.trim();
  if (v === "database") return { kind: "database" };
  if (v.startsWith("file:")) {
    const p = v.slice(5).replace(/^\/\/(?=\/)/, "");
    if (!p) return { error: "file: needs a folder, e.g. file:./data/packages" };
    return { kind: "file", root: path.resolve(base, p) };
  }
  if (v.startsWith("s3://")) {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return { error: `is not a valid URL; expected ${STORAGE_URL_FORMS}` };
    }
    if (url.username || url.password) return { error: "must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead" };
    const bucket = url.hostname;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      return { error: "names a bucket S3 would refuse: 3–63 lower-case letters, digits, dots and hyphens" };
    const prefix = decodeURIComponent(url.pathname.replace(/^\/+/, "").replace(/\/+$/, ""));
    const known = new Set(["endpoint", "region", "forcePathStyle"]);
    for (const name of url.searchParams.keys())
      if (!known.has(name)) return { error: `has an unknown parameter "${name}" (known: endpoint, region, forcePathStyle)` };
    const endpoint = url.searchParams.get("endpoint") ?? undefined;
    if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint))
      return { error: "endpoint must be an http:// or https:// URL, e.g. endpoint=http://127.0.0.1:9000" };
    const style = url.searchParams.get("forcePathStyle");
    if (style !== null && style !== "true" && style !== "false") return { error: "forcePathStyle must be true or false" };
    const region = url.searchParams.get("region") ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
    return {
      kind: "s3",
      bucket,
      prefix: prefix ? `${prefix}/` : "",
      endpoint,
      region,
      forcePathStyle: style === null ? endpoint !== undefined : style === "true",
    };
  }
  return { error: `must be ${STORAGE_URL_FORMS}` };
}
