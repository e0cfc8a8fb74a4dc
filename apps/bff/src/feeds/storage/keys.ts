// The key a package file is stored under: feed/package/version-random.ext, readable in
// any store's listing. The random part keeps two concurrent pushes of one version from
// sharing a file (only one of them gets its row; the other's file is removed).
import { randomBytes } from "node:crypto";

const safe = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "_")
    .slice(0, 120);

export function packageFileKey(feed: string, packageId: string, version: string, ext: string): string {
  return `${safe(feed)}/${safe(packageId)}/${safe(version)}-${randomBytes(6).toString("hex")}.${safe(ext)}`;
}

/** Keys are relative paths of plain segments: no "..", no leading "/", nothing a file system or URL gives meaning to. */
export function checkKey(key: string): string {
  if (
    key.length === 0 ||
    key.length > 1000 ||
    key.startsWith("/") ||
    key.split("/").some((seg) => seg === "" || seg === "." || seg === "..") ||
    !/^[A-Za-z0-9._/-]+$/.test(key)
  ) {
    throw new Error(`not a package file key: ${JSON.stringify(key.slice(0, 200))}`);
  }
  return key;
}
