// Packuments are read far more often than they change (every `npm install` of every
// dependent reads them), so each instance keeps a package's rows, and the documents
// rendered from them, for a second. Writes on this instance drop the entry at once, so a
// publish is visible here immediately; another instance sees it within the TTL.
import { createHash } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { loadNpmPackage } from "../domain/npm.ts";
import { abbreviatedPackument, fullPackument, type NpmPackage } from "./packument.ts";

export const PACKUMENT_TTL_MS = 1000;

export type Rendered = { body: string; etag: string };

export class CachedPackage {
  private rendered = new Map<string, Rendered>();
  constructor(
    readonly pkg: NpmPackage | null,
    readonly at: number,
  ) {}

  /** The packument as JSON text, rendered once per form and registry URL. */
  render(abbreviated: boolean, baseUrl: string): Rendered {
    const key = `${abbreviated ? "a" : "f"}\n${baseUrl}`;
    let r = this.rendered.get(key);
    if (!r) {
      const body = JSON.stringify(abbreviated ? abbreviatedPackument(this.pkg!, baseUrl) : fullPackument(this.pkg!, baseUrl));
      r = { body, etag: `"${createHash("sha1").update(body).digest("hex")}"` };
      // A handful of URLs at most (one per host name clients use); never grow without bound.
      if (this.rendered.size >= 16) this.rendered.clear();
      this.rendered.set(key, r);
    }
    return r;
  }
}

export class PackumentCache {
  private entries = new Map<string, CachedPackage>();
  private loading = new Map<string, Promise<CachedPackage>>();
  /** Bumped by every invalidation; a load that overlapped one is used once but not kept. */
  private generation = 0;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = PACKUMENT_TTL_MS,
    private readonly max = 1000,
    private readonly clock: () => number = Date.now,
  ) {}

  private key(feedId: number, name: string): string {
    return `${feedId}\n${name.toLowerCase()}`;
  }

  async get(feedId: number, name: string): Promise<CachedPackage> {
    const key = this.key(feedId, name);
    const hit = this.entries.get(key);
    if (hit && this.clock() - hit.at < this.ttlMs) return hit;
    if (hit) this.entries.delete(key);
    let pending = this.loading.get(key);
    if (!pending) {
      const generation = this.generation;
      pending = loadNpmPackage(this.db, feedId, name)
        .then((pkg) => {
          const entry = new CachedPackage(pkg, this.clock());
          if (generation === this.generation) this.keep(key, entry);
          return entry;
        })
        .finally(() => {
          if (this.loading.get(key) === pending) this.loading.delete(key);
        });
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** Entries are kept in load order, so expired ones are at the front: drop them, and the oldest past `max`. */
  private keep(key: string, entry: CachedPackage): void {
    this.entries.delete(key);
    for (const [k, e] of this.entries) {
      if (this.entries.size < this.max && entry.at - e.at < this.ttlMs) break;
      this.entries.delete(k);
    }
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  invalidate(feedId: number, name: string): void {
    const key = this.key(feedId, name);
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }
}
