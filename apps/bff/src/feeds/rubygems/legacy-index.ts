// The Marshal indexes older clients read: specs.4.8.gz (released versions),
// latest_specs.4.8.gz (the newest release per gem and platform) and
// prerelease_specs.4.8.gz. `gem install` falls back to them when the feed root does not
// answer, and `gem search --remote` / `gem list --remote` always read them. Each is a
// gzipped Marshal array of [name, Gem::Version, platform].
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { RequestHandler } from "express";
import type { Services } from "../../services.ts";
import { readableListedGems } from "./gem-feed.ts";
import { compareGemVersions, isPrerelease } from "./gem-version.ts";
import { marshalDump, type RubyValue } from "./marshal.ts";
import { readStoredGem, type StoredGem } from "./stored-gem.ts";

export type LegacyIndex = "specs" | "latest_specs" | "prerelease_specs";

function select(index: LegacyIndex, gems: StoredGem[]): StoredGem[] {
  if (index === "prerelease_specs") return gems.filter((g) => isPrerelease(g.version));
  const released = gems.filter((g) => !isPrerelease(g.version));
  if (index === "specs") return released;
  const latest = new Map<string, StoredGem>();
  for (const g of released) {
    const key = `${g.name}\0${g.platform}`;
    const seen = latest.get(key);
    if (!seen || compareGemVersions(g.version, seen.version) > 0) latest.set(key, g);
  }
  return [...latest.values()];
}

const tuple = (g: StoredGem): RubyValue => [g.name, { kind: "userMarshal", className: "Gem::Version", data: [g.version] }, g.platform];

export function legacyIndex(services: Services, index: LegacyIndex): RequestHandler {
  return async (req, res) => {
    const body = gzipSync(
      marshalDump(
        select(
          index,
          (await readableListedGems(services, req, res)).flatMap((p) => p.versions.map((v) => readStoredGem(v, p.name))),
        ).map(tuple),
      ),
    );
    res.status(200).type("application/octet-stream");
    res.setHeader("Cache-Control", "private, no-cache");
    res.setHeader("ETag", `"${createHash("md5").update(body).digest("hex")}"`);
    res.send(body);
  };
}
