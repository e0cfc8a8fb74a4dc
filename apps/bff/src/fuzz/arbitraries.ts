// Request generators for the HTTP fuzz test, one per surface. Each builds a request from
// parts that reach past the first checks (real feed and package names, real keys, valid
// artefacts) and parts that do not (wrong keys, corrupted archives, odd encodings), so the
// code behind the key gate and the format parsers gets exercised, not only the 401 path.
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { buildGem } from "../feeds/formats/gem.fixtures.ts";
import { buildNpmPublishBody } from "../feeds/formats/npm.fixtures.ts";
import { buildNupkg } from "../feeds/formats/nuget.fixtures.ts";
import { buildTar } from "../feeds/formats/tar.fixtures.ts";
import { FEEDS, PACKAGES, type FuzzWorld } from "./world.ts";
import type { FuzzRequest } from "./send.ts";

type Header = [string, string];
type Parts = { headers: Header[]; query: string[] };
type Body = { body: Buffer; type: string };

const b64 = (s: string) => Buffer.from(s, "latin1").toString("base64");
// Lone surrogates (from "\ud800" in the pools) cannot be percent-encoded; sent as U+FFFD.
const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));

/** Odd path segments: percent-escapes that decode to nothing sensible, traversal, NUL, long. */
const oddSegment = fc.constantFrom(
  "%00",
  "%",
  "%zz",
  "%E0%A4%A",
  "..",
  "%2e%2e",
  "%2F",
  "a%2Fb",
  "%FF%FE",
  "x".repeat(600),
  "%C0%AF",
  "-",
  "@",
  "@x%2F",
  "%40scope%2Fname",
  "NUL%00x",
);
const segment = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 16 }).map(enc) }, { weight: 2, arbitrary: oddSegment });
const versionText = fc.oneof(
  fc.constantFrom("1.0.0", "2.0.0", "1.0.0-beta.1", "01.0", "1.0.0+meta", "9999999999999999999.0.0", "", "v1", "1..0", "%00"),
  fc.string({ maxLength: 10 }).map(enc),
);

function scalarPool(w: FuzzWorld) {
  return fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom(
      "",
      " ",
      "null",
      "true",
      "1",
      "-1",
      "0",
      "2147483648",
      "9".repeat(40),
      "1.5",
      "nuget",
      "npm",
      "rubygems",
      "feeds",
      "native",
      "keys",
      "full-control",
      "feeds,native",
      "2099-01-01",
      "1999-01-01",
      "not-a-date",
      "\u0000",
      "\ud800",
      "%00",
      "../../etc/passwd",
      "*",
      "Fuzz.*",
      FEEDS.nuget,
      FEEDS.npm,
      FEEDS.rubygems,
      PACKAGES.nuget,
      PACKAGES.npm,
      PACKAGES.gem,
      "x".repeat(5000),
    ),
    fc.constantFrom(...w.wrong),
    fc.integer({ min: 100_000 }),
    fc.constantFrom(-1, 0, 1.5, 2 ** 53, Number.MAX_VALUE, true, false, null),
  );
}

/** An object with the given field names (and some others), values from the pool, now and then nested. */
function jsonObject(w: FuzzWorld, names: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names) },
    fc.constantFrom("__proto__", "constructor", "toString", "API_Key", "key"),
    fc.string({ maxLength: 8 }),
  );
  const value: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 6, arbitrary: scalarPool(w) },
    fc.array(scalarPool(w), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), scalarPool(w), { maxKeys: 3 }),
  );
  return fc.array(fc.tuple(name, value), { maxLength: 6 }).map((entries) => {
    // defineProperty, so "__proto__" becomes an own key in the JSON text, as an attacker sends it.
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
    return o;
  });
}

// ---------------------------------------------------------------------------------------
// Keys and the ways to present them.

function keyValue(w: FuzzWorld) {
  const good = Object.values(w.good);
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, { weight: 2, arbitrary: fc.constantFrom(...w.wrong) });
}

export type Surface = "nuget" | "npm" | "rubygems" | "api";

/** One good key where this surface takes it (most requests), none, or any mix of presentations. */
function keyPlacements(w: FuzzWorld, surface: Surface): fc.Arbitrary<Parts> {
  const g = w.good;
  const good = fc.constantFrom(
    ...(surface === "api" ? [g.systemNative, g.systemAsAdmin, g.systemAsAlice] : [g.scoped, g.scopedPushOnly, g.legacy, g.systemFeeds, g.systemAsAdmin]),
  );
  const right = good.chain((v) =>
    fc.constantFrom<Parts>(
      ...((surface === "nuget"
        ? [
            { headers: [["X-NuGet-ApiKey", v]], query: [] },
            { headers: [["Authorization", `Basic ${b64(`api:${v}`)}`]], query: [] },
          ]
        : surface === "npm"
          ? [
              { headers: [["Authorization", `Bearer ${v}`]], query: [] },
              { headers: [["Authorization", `Basic ${b64(`ci:${v}`)}`]], query: [] },
            ]
          : surface === "rubygems"
            ? [
                { headers: [["Authorization", v]], query: [] },
                { headers: [["Authorization", `Basic ${b64(`api:${v}`)}`]], query: [] },
              ]
            : [
                { headers: [["X-ApiKey", v]], query: [] },
                { headers: [], query: [`key=${enc(v)}`] },
              ]) as Parts[]),
    ),
  );
  return fc.oneof(
    { weight: 6, arbitrary: right },
    { weight: 1, arbitrary: fc.constant<Parts>({ headers: [], query: [] }) },
    { weight: 3, arbitrary: anyPlacements(w) },
  );
}

/** One to three key presentations: every accepted place, malformed ones, duplicates and conflicts. */
function anyPlacements(w: FuzzWorld): fc.Arbitrary<Parts> {
  const k = keyValue(w);
  const placement = fc.oneof(
    k.map((v) => ({ header: ["X-ApiKey", v] as Header })),
    k.map((v) => ({ header: ["X-NuGet-ApiKey", v] as Header })),
    k.map((v) => ({ header: ["Authorization", `Bearer ${v}`] as Header })),
    k.map((v) => ({ header: ["Authorization", v] as Header })),
    fc
      .tuple(fc.constantFrom("api", "alice", "", "api:extra", "\u00ff"), k)
      .map(([u, v]) => ({ header: ["Authorization", `Basic ${b64(`${u}:${v}`)}`] as Header })),
    fc
      .constantFrom<Header>(
        ["Authorization", "Basic !!!"],
        ["Authorization", "Basic"],
        ["Authorization", "Bearer"],
        ["Authorization", "Bearer  "],
        ["Authorization", `Basic ${b64("no-colon")}`],
        ["Authorization", "Digest x=1"],
        ["X-ApiKey", " "],
        ["Authorization", `Basic ${"QUFB".repeat(2000)}`],
      )
      .map((header) => ({ header })),
    k.map((v) => ({ query: `key=${enc(v)}` })),
    k.map((v) => ({ query: `key=${enc(v)}&key=${enc(v)}` })),
    k.map((v) => ({ query: `key[]=${enc(v)}` })),
  );
  return fc.array(placement, { minLength: 1, maxLength: 3 }).map((ps) => ({
    headers: ps.flatMap((p) => ("header" in p ? [p.header] : [])),
    query: ps.flatMap((p) => ("query" in p ? [p.query] : [])),
  }));
}

// ---------------------------------------------------------------------------------------
// Encodings and body damage.

const encodings = fc.oneof(
  { weight: 25, arbitrary: fc.constant("none") },
  fc.constantFrom("gzip", "deflate", "br", "garbage-gzip", "garbage-br", "truncated-gzip", "gzip, gzip", "identity", "x-unknown", "GZIP"),
);

function encode(body: Buffer, how: string): { body: Buffer; header?: string } {
  switch (how) {
    case "gzip":
    case "GZIP":
      return { body: gzipSync(body), header: how };
    case "deflate":
      return { body: deflateSync(body), header: "deflate" };
    case "br":
      return { body: brotliCompressSync(body), header: "br" };
    case "garbage-gzip":
      return { body, header: "gzip" };
    case "garbage-br":
      return { body, header: "br" };
    case "truncated-gzip": {
      const z = gzipSync(body);
      return { body: z.subarray(0, Math.max(1, z.length >> 1)), header: "gzip" };
    }
    case "gzip, gzip":
      return { body: gzipSync(gzipSync(body)), header: "gzip, gzip" };
    case "identity":
    case "x-unknown":
      return { body, header: how };
    default:
      return { body };
  }
}

const charsets = fc.oneof(
  { weight: 20, arbitrary: fc.constant("") },
  fc.constantFrom("; charset=utf-8", "; charset=UTF-16", "; charset=latin1", '; charset="utf-8"', "; charset=bogus", "; charset=", ";;;", "; boundary="),
);

/** Damage to a body: none, truncation, a flipped byte, invalid UTF-8 or NUL bytes spliced in, a prefix of junk. */
const damage = fc.oneof(
  { weight: 12, arbitrary: fc.constant((b: Buffer) => b) },
  fc.nat().map((n) => (b: Buffer) => b.subarray(0, b.length ? n % b.length : 0)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, x]) => (b: Buffer) => {
    if (!b.length) return b;
    const c = Buffer.from(b);
    c[i % c.length]! ^= x;
    return c;
  }),
  fc
    .tuple(fc.nat(), fc.constantFrom(Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from([0, 0, 0]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from("\r\n--\r\n")))
    .map(([i, junk]) => (b: Buffer) => {
      const at = b.length ? i % b.length : 0;
      return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
    }),
  fc.uint8Array({ maxLength: 64 }).map((junk) => (b: Buffer) => Buffer.concat([Buffer.from(junk), b])),
);

const extraHeaders = fc
  .array(
    fc.oneof(
      fc.constantFrom<Header>(
        ["X-Fuzz-Pad", "a".repeat(9000)],
        ["Cookie", `x=${"b".repeat(6000)}`],
        ["Accept", "*/*"],
        ["Accept", "application/vnd.npm.install-v1+json"],
        ["Accept-Encoding", "gzip, br"],
        ["X-Forwarded-For", "1.2.3.4"],
        ["Transfer-Encoding", "identity"],
        ["Expect", "100-continue"],
        ["If-None-Match", '"x"'],
        ["Range", "bytes=0-10"],
        ["Range", "bytes=999999-"],
        ["Range", "bytes=5-1,x"],
        ["Origin", "http://evil.example"],
        ["X-Csrf-Token", "nope"],
      ),
      fc.tuple(
        fc.constantFrom("User-Agent", "Referer", "Npm-Command", "X-NuGet-Protocol-Version", "Accept"),
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?")),
      ),
      fc.constant<Header>(["X-Latin1", "\u00e9\u00ff\u0080\u00c3("]),
    ),
    { maxLength: 2 },
  )
  .chain((h) => fc.oneof({ weight: 2, arbitrary: fc.constant<Header[]>([]) }, fc.constant(h)));

type Spec = { label: string; method: string; path: string; parts: Parts; body?: Body };

/** Puts the shared parts (key placements, extra headers, encoding, charset, damage) on a request. */
function finish(w: FuzzWorld, surface: Surface, spec: fc.Arbitrary<Omit<Spec, "parts">>): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ spec, keys: keyPlacements(w, surface), extra: extraHeaders, encoding: encodings, charset: charsets, damage })
    .map(({ spec, keys, extra, encoding, charset, damage }) => {
      const headers: Header[] = [...keys.headers, ...extra];
      const query = keys.query.join("&");
      const path = query ? `${spec.path}${spec.path.includes("?") ? "&" : "?"}${query}` : spec.path;
      let body: Buffer | undefined;
      if (spec.body) {
        const e = encode(damage(spec.body.body), encoding);
        body = e.body;
        if (e.header) headers.push(["Content-Encoding", e.header]);
        headers.push(["Content-Type", spec.body.type + (spec.body.type.includes(";") ? "" : charset)]);
      }
      return { label: spec.label, method: spec.method, path, headers, body };
    });
}

// ---------------------------------------------------------------------------------------
// Archives.

const freshVersion = fc.tuple(fc.nat({ max: 99 }), fc.nat({ max: 99 }), fc.nat({ max: 9999 })).map(([a, b, c]) => `${a}.${b}.${c}`);

function archiveBodies(w: FuzzWorld, kind: "nuget" | "gem") {
  const { nupkg, gem } = w.samples;
  // A well-formed package with a new version: pushes that get past every check and store.
  const fresh =
    kind === "nuget"
      ? fc.tuple(fc.constantFrom(PACKAGES.nuget, "Fuzz.Other", "Other.Thing"), freshVersion).map(([id, version]) => Buffer.from(buildNupkg({ id, version })))
      : fc.tuple(fc.constantFrom(PACKAGES.gem, "othergem", "fuzz-extra"), freshVersion).map(([name, version]) => Buffer.from(buildGem({ name, version })));
  return fc.oneof(
    { weight: 4, arbitrary: fresh },
    fc.constant(nupkg),
    fc.constant(gem),
    fc.constant(Buffer.alloc(0)),
    fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u)),
    fc.nat({ max: 4000 }).map((n) => nupkg.subarray(0, n)),
    fc.nat({ max: 20_000 }).map((n) => gem.subarray(0, n)),
    fc.constant(Buffer.concat([Buffer.from("PK\x05\x06"), Buffer.alloc(18, 0xff)])),
    fc.constant(Buffer.from(`PK\x03\x04${"\xff".repeat(40)}`, "latin1")),
    fc.constant(gzipSync(Buffer.alloc(100_000))),
    fc
      .tuple(fc.string({ maxLength: 120 }), fc.nat({ max: 5000 }), fc.constantFrom("0", "5", "2", "L", "x", "\u0000"))
      .map(([name, size, type]) => Buffer.from(buildTar([{ name: name || "metadata.gz", data: "x".repeat(size), type }], { endBlocks: 2 }))),
    fc.constant(
      Buffer.from(
        buildTar([
          { name: "metadata.gz", data: "not gzip" },
          { name: "data.tar.gz", data: "" },
        ]),
      ),
    ),
    fc.constant(Buffer.from(buildTar([{ name: "metadata.gz", data: gzipSync("--- !ruby/object:Gem::Specification\nname: [\n").toString("latin1") }]))),
  );
}

function multipart(file: Buffer, variant: string, boundary = "fuzzBoundary123"): Body {
  const head = (name = "package") =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="p.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const type = `multipart/form-data; boundary=${boundary}`;
  switch (variant) {
    case "no-boundary":
      return { body: Buffer.concat([Buffer.from(head()), file, Buffer.from(tail)]), type: "multipart/form-data" };
    case "wrong-boundary":
      return { body: Buffer.concat([Buffer.from(head()), file, Buffer.from(tail)]), type: "multipart/form-data; boundary=other" };
    case "no-end":
      return { body: Buffer.concat([Buffer.from(head()), file]), type };
    case "two-parts":
      return { body: Buffer.concat([Buffer.from(head()), file, Buffer.from(`\r\n`), Buffer.from(head("other")), file, Buffer.from(tail)]), type };
    case "no-headers":
      return { body: Buffer.concat([Buffer.from(`--${boundary}\r\n\r\n`), file, Buffer.from(tail)]), type };
    case "raw":
      return { body: file, type: "application/octet-stream" };
    case "empty-boundary":
      return { body: Buffer.concat([Buffer.from(head()), file, Buffer.from(tail)]), type: 'multipart/form-data; boundary=""' };
    default:
      return { body: Buffer.concat([Buffer.from(head()), file, Buffer.from(tail)]), type };
  }
}

// ---------------------------------------------------------------------------------------
// NuGet.

export function nugetRequests(w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const feed = fc.oneof({ weight: 20, arbitrary: fc.constant(FEEDS.nuget) }, fc.constantFrom(FEEDS.npm, "missing"), segment);
  const id = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(PACKAGES.nuget, PACKAGES.nuget.toLowerCase(), "Fuzz.Other") }, segment);
  const read = fc
    .tuple(feed, id, versionText, segment, fc.string({ maxLength: 20 }), fc.integer({ min: -5, max: 100_000 }))
    .chain(([f, i, v, s, q, n]) =>
      fc
        .constantFrom(
          `/nuget/${f}/v3/index.json`,
          `/nuget/${f}/v3-flatcontainer/${i}/index.json`,
          `/nuget/${f}/v3-flatcontainer/${i}/${v}/${i}.${v}.nupkg`,
          `/nuget/${f}/v3-flatcontainer/${i}/${v}/${s}`,
          `/nuget/${f}/v3/registration/${i}/index.json`,
          `/nuget/${f}/v3/registration/${i}/${v}.json`,
          `/nuget/${f}/v3/search?q=${enc(q)}&skip=${n}&take=${n}&prerelease=${enc(s)}&semVerLevel=2.0.0`,
          `/nuget/${f}/v3/search?take=${"9".repeat(30)}&skip=-1`,
          `/nuget/${f}/`,
          `/nuget/${f}/api/v2/package`,
          `/nuget/${f}/${s}/${s}`,
        )
        .map((path) => ({ label: "nuget read", method: "GET", path })),
    );
  const readAnyMethod = fc.tuple(read, fc.constantFrom("GET", "GET", "HEAD", "OPTIONS", "PATCH")).map(([r, method]) => ({ ...r, method }));
  const push = fc
    .tuple(
      feed,
      archiveBodies(w, "nuget"),
      fc.constantFrom("ok", "ok", "ok", "ok", "raw", "no-boundary", "wrong-boundary", "no-end", "two-parts", "no-headers", "empty-boundary"),
      fc.constantFrom("/api/v2/package", "/"),
    )
    .map(([f, file, variant, at]) => ({ label: "nuget push", method: "PUT", path: `/nuget/${f}${at}`, body: multipart(file, variant) }));
  const unlist = fc.tuple(feed, id, versionText, fc.constantFrom("DELETE", "POST"), fc.boolean()).map(([f, i, v, method, v2]) => ({
    label: "nuget unlist/relist",
    method,
    path: v2 || method === "POST" ? `/nuget/${f}/api/v2/package/${i}/${v}` : `/nuget/${f}/${i}/${v}`,
  }));
  return finish(w, "nuget", fc.oneof({ weight: 4, arbitrary: readAnyMethod }, { weight: 4, arbitrary: push }, { weight: 2, arbitrary: unlist }));
}

// ---------------------------------------------------------------------------------------
// npm.

export function npmRequests(w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const feed = fc.oneof({ weight: 20, arbitrary: fc.constant(FEEDS.npm) }, fc.constantFrom(FEEDS.nuget, "missing"), segment);
  const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(PACKAGES.npm, "@fuzz%2fscoped", "@fuzz/scoped", "other-pkg", "new-pkg") }, segment);
  const read = fc
    .tuple(feed, name, versionText, segment)
    .chain(([f, n, v, s]) =>
      fc
        .constantFrom(
          `/npm/${f}/${n}`,
          `/npm/${f}/${n}/${v}`,
          `/npm/${f}/${n}/-/${n}-${v}.tgz`,
          `/npm/${f}/${n}/-/${s}`,
          `/npm/${f}/-/package/${n}/dist-tags`,
          `/npm/${f}/-/ping`,
          `/npm/${f}/-/whoami`,
          `/npm/${f}/-/v1/login`,
          `/npm/${f}/-/user/org.couchdb.user:${s}`,
          `/npm/${f}/${s}/${s}/${s}/${s}`,
        )
        .map((path) => ({ label: "npm read", method: "GET", path })),
    );
  const publishBody = fc
    .tuple(
      fc.constantFrom(
        "valid",
        "valid",
        "valid",
        "bad-base64",
        "wrong-length",
        "wrong-integrity",
        "no-versions",
        "name-mismatch",
        "attachment-types",
        "not-json",
        "huge-version-map",
        "deep",
      ),
      fc.string({ maxLength: 20 }),
      fc.constantFrom(PACKAGES.npm, "other-pkg", PACKAGES.scopedNpm),
      freshVersion,
    )
    .map(([variant, junk, pkg, version]) => {
      const fixture = buildNpmPublishBody({ name: pkg, version, registry: `${w.server.url}/npm/${FEEDS.npm}/` });
      const b = fixture.body as Record<string, unknown> & typeof fixture.body;
      const att = Object.values(b._attachments)[0]!;
      switch (variant) {
        case "bad-base64":
          att.data = `${att.data.slice(0, 40)}!!${junk}%%%`;
          break;
        case "wrong-length":
          att.length = 1e12;
          break;
        case "wrong-integrity":
          Object.values(b.versions)[0]!.dist.integrity = `sha512-${junk}`;
          break;
        case "no-versions":
          b.versions = {};
          break;
        case "name-mismatch":
          b.name = junk;
          break;
        case "attachment-types":
          (b as Record<string, unknown>)._attachments = { [junk]: { data: 42, length: "x" }, "x.tgz": null };
          break;
        case "not-json":
          return { body: Buffer.from(`{"_attachments": {"a": ${junk}`), urlName: fixture.urlName };
        case "huge-version-map":
          for (let i = 0; i < 200; i++) (b.versions as Record<string, unknown>)[`0.0.${i}`] = { name: b.name, version: `0.0.${i}` };
          break;
        case "deep": {
          let d = "1";
          for (let i = 0; i < 3000; i++) d = `[${d}]`;
          return { body: Buffer.from(`{"name":"other-pkg","_attachments":{"x":${d}}}`), urlName: fixture.urlName };
        }
      }
      return { body: Buffer.from(JSON.stringify(b)), urlName: fixture.urlName };
    });
  const publish = fc
    .tuple(
      feed,
      fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, fc.constantFrom("other-pkg", "new-pkg")),
      publishBody,
      fc.constantFrom("PUT", "PUT", "PUT", "POST"),
    )
    .map(([f, n, body, method]) => ({
      label: "npm publish",
      method,
      path: `/npm/${f}/${n ?? body.urlName}`,
      body: { body: body.body, type: "application/json" },
    }));
  const distTag = fc
    .tuple(
      feed,
      name,
      fc.oneof(fc.constantFrom("latest", "beta", "next", "1.0.0"), segment),
      fc.oneof(fc.constantFrom('"1.0.0"', '"9.9.9"', "1", "null", '{"a":1}', ""), fc.string({ maxLength: 20 })),
      fc.constantFrom("PUT", "DELETE", "POST"),
    )
    .map(([f, n, tag, value, method]) => ({
      label: "npm dist-tag",
      method,
      path: `/npm/${f}/-/package/${n}/dist-tags/${tag}`,
      body: method === "DELETE" ? undefined : { body: Buffer.from(value), type: "application/json" },
    }));
  const manage = fc
    .tuple(
      feed,
      name,
      versionText,
      segment,
      fc.constantFrom("DELETE", "PUT"),
      jsonObject(w, ["_id", "_rev", "name", "versions", "dist-tags", "deprecated", "time"]),
      fc.nat({ max: 2 }),
    )
    .map(([f, n, v, rev, method, body, which]) => {
      const json = { body: Buffer.from(JSON.stringify(body)), type: "application/json" };
      if (which === 0) return { label: "npm unpublish", method, path: `/npm/${f}/${n}/-rev/${rev}`, body: method === "PUT" ? json : undefined };
      if (which === 1) return { label: "npm unpublish tarball", method: "DELETE", path: `/npm/${f}/${n}/-/${n}-${v}.tgz/-rev/${rev}` };
      return { label: "npm deprecate", method: "PUT", path: `/npm/${f}/${n}`, body: json };
    });
  return finish(
    w,
    "npm",
    fc.oneof({ weight: 3, arbitrary: read }, { weight: 4, arbitrary: publish }, { weight: 2, arbitrary: distTag }, { weight: 2, arbitrary: manage }),
  );
}

// ---------------------------------------------------------------------------------------
// RubyGems.

export function rubygemsRequests(w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const feed = fc.oneof({ weight: 20, arbitrary: fc.constant(FEEDS.rubygems) }, fc.constantFrom(FEEDS.npm, "missing"), segment);
  const gem = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(PACKAGES.gem, "othergem") }, segment);
  const read = fc
    .tuple(feed, gem, versionText, segment)
    .chain(([f, g, v, s]) =>
      fc
        .constantFrom(
          `/rubygems/${f}/`,
          `/rubygems/${f}/versions`,
          `/rubygems/${f}/names`,
          `/rubygems/${f}/info/${g}`,
          `/rubygems/${f}/gems/${g}-${v}.gem`,
          `/rubygems/${f}/gems/${s}`,
          `/rubygems/${f}/quick/Marshal.4.8/${g}-${v}.gemspec.rz`,
          `/rubygems/${f}/quick/Marshal.4.8/${s}`,
          `/rubygems/${f}/specs.4.8.gz`,
          `/rubygems/${f}/latest_specs.4.8.gz`,
          `/rubygems/${f}/prerelease_specs.4.8.gz`,
          `/rubygems/${f}/api/v1/dependencies?gems=${g},${s}`,
        )
        .map((path) => ({ label: "rubygems read", method: "GET", path })),
    );
  const push = fc
    .tuple(
      feed,
      archiveBodies(w, "gem"),
      fc.constantFrom(
        "application/octet-stream",
        "application/octet-stream",
        "application/octet-stream",
        "application/x-tar",
        "multipart/form-data",
        "text/plain",
      ),
    )
    .map(([f, body, type]) => ({ label: "rubygems push", method: "POST", path: `/rubygems/${f}/api/v1/gems`, body: { body, type } }));
  const yank = fc
    .tuple(feed, gem, versionText, fc.constantFrom("", "ruby", "x86_64-linux", "%00"), fc.constantFrom("form", "query", "json"))
    .map(([f, g, v, p, how]) => {
      const fields = `gem_name=${g}&version=${v}${p ? `&platform=${p}` : ""}`;
      const path = `/rubygems/${f}/api/v1/gems/yank`;
      if (how === "query") return { label: "rubygems yank", method: "DELETE", path: `${path}?${fields}` };
      if (how === "json")
        return {
          label: "rubygems yank",
          method: "DELETE",
          path,
          body: { body: Buffer.from(JSON.stringify({ gem_name: decodeURIComponentSafe(g), version: v })), type: "application/json" },
        };
      return { label: "rubygems yank", method: "DELETE", path, body: { body: Buffer.from(fields), type: "application/x-www-form-urlencoded" } };
    });
  return finish(w, "rubygems", fc.oneof({ weight: 3, arbitrary: read }, { weight: 4, arbitrary: push }, { weight: 2, arbitrary: yank }));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------
// Native API and management API.

const NATIVE_METHODS = [
  "Feeds_GetFeeds",
  "Feeds_CreateFeed",
  "ApiKeys_GetApiKeys",
  "ApiKeys_GetApiKey",
  "ApiKeys_CreateOrUpdateApiKey",
  "ApiKeys_DeleteApiKey",
  "ApiKeys_RevokeApiKey",
  "ApiKeyAccessLogs_GetLogs",
  "Packages_GetPackages",
  "Packages_SetListed",
  "Users_GetUsers",
  "Users_CreateOrUpdateUser",
];
const NATIVE_FIELDS = [
  "ApiKey_Id",
  "ApiKey_Description",
  "Expiration_Date",
  "FeedType_Name",
  "Feed_Name",
  "Feeds_Csv",
  "Key_Name",
  "Key_Text",
  "LogRequestBody_Indicator",
  "LogResponseBody_Indicator",
  "Systems_Apis_Csv",
  "User_Name",
  "Package_Name",
  "Version_Text",
  "Listed_Indicator",
  "Count",
  "API_Key",
];
const MANAGEMENT_FIELDS = [
  "id",
  "type",
  "key",
  "displayName",
  "description",
  "systemApis",
  "packagePermissions",
  "feeds",
  "user",
  "expiration",
  "logRequestBody",
  "logResponseBody",
  "API_Key",
];

function apiBody(w: FuzzWorld, names: readonly string[]): fc.Arbitrary<Body | undefined> {
  return fc
    .tuple(
      jsonObject(w, names),
      keyValue(w),
      fc.constantFrom("json", "json", "form", "none", "json-with-key", "form-with-key", "text", "json-array", "json-scalar"),
    )
    .map(([o, k, how]) => {
      const form = () =>
        Object.entries(o)
          .map(([a, b]) => `${enc(a)}=${enc(typeof b === "string" ? b : (JSON.stringify(b) ?? ""))}`)
          .join("&");
      switch (how) {
        case "json":
          return { body: Buffer.from(JSON.stringify(o)), type: "application/json" };
        case "json-with-key":
          return { body: Buffer.from(JSON.stringify({ ...o, API_Key: k })), type: "application/json" };
        case "form":
          return { body: Buffer.from(form()), type: "application/x-www-form-urlencoded" };
        case "form-with-key":
          return { body: Buffer.from(`${form()}&key=${enc(k)}&key=${enc(k)}x`), type: "application/x-www-form-urlencoded" };
        case "text":
          return { body: Buffer.from(JSON.stringify(o)), type: "text/plain" };
        case "json-array":
          return { body: Buffer.from(JSON.stringify([o])), type: "application/json" };
        case "json-scalar":
          return { body: Buffer.from('"x"'), type: "application/json" };
        default:
          return undefined;
      }
    });
}

export function nativeRequests(w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...NATIVE_METHODS) }, segment);
  const query = fc
    .array(fc.tuple(fc.constantFrom(...NATIVE_FIELDS, "__proto__"), fc.oneof(fc.string({ maxLength: 12 }).map(enc), oddSegment)), { maxLength: 3 })
    .map((q) => q.map(([k, v]) => `${k}=${v}`).join("&"));
  return finish(
    w,
    "api",
    fc.tuple(method, query, apiBody(w, NATIVE_FIELDS), fc.constantFrom("POST", "POST", "GET", "PUT", "DELETE")).map(([m, q, body, verb]) => ({
      label: "native api",
      method: verb,
      path: `/api/json/${m}${q ? `?${q}` : ""}`,
      body: verb === "GET" ? undefined : body,
    })),
  );
}

export function managementRequests(w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const route = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("create", "list", "delete") }, segment);
  return finish(
    w,
    "api",
    fc
      .tuple(
        route,
        apiBody(w, MANAGEMENT_FIELDS),
        fc.constantFrom("POST", "GET", "DELETE", "PUT"),
        fc.constantFrom("", "?id=100000", "?id=abc", "?id=1&id=2", "?id=%00"),
      )
      .map(([r, body, verb, q]) => ({
        label: "management api",
        method: verb,
        path: `/api/api-keys/${r}${q}`,
        body: verb === "GET" ? undefined : body,
      })),
  );
}

// ---------------------------------------------------------------------------------------
// tRPC, as the SPA calls it and as it should not be called.

const PROCEDURES = {
  query: ["auth.me", "keys.list", "keys.ownedPackages", "adminKeys.list", "adminKeys.options", "outbox.list", "logs.list", "logs.get"],
  mutation: [
    "keys.create",
    "keys.updatePackages",
    "keys.regenerate",
    "keys.revoke",
    "keys.delete",
    "adminKeys.create",
    "adminKeys.update",
    "adminKeys.revoke",
    "adminKeys.delete",
    "auth.login",
  ],
};
const TRPC_FIELDS = [
  "id",
  "name",
  "username",
  "password",
  "expiresInDays",
  "scopes",
  "packages",
  "globs",
  "feeds",
  "apis",
  "userId",
  "value",
  "limit",
  "cursor",
  "filter",
  "from",
  "to",
  "path",
  "status",
  "direction",
];

export function trpcRequests(w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const procs = fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.constantFrom(...PROCEDURES.query), { minLength: 1, maxLength: 3 }) },
    { weight: 4, arbitrary: fc.array(fc.constantFrom(...PROCEDURES.mutation), { minLength: 1, maxLength: 3 }) },
    fc.array(fc.oneof(fc.constantFrom(...PROCEDURES.query, ...PROCEDURES.mutation), segment), { minLength: 1, maxLength: 3 }),
  );
  const input = fc.oneof({ weight: 4, arbitrary: jsonObject(w, TRPC_FIELDS) }, scalarPool(w), fc.constant(undefined));
  const cookie = fc.constantFrom(
    w.session.cookie,
    w.session.cookie,
    w.session.cookie,
    "",
    "keyhouse_session=forged",
    `${w.session.cookie}; keyhouse_session=forged`,
    "keyhouse_session=%00%ff",
  );
  const csrf = fc.constantFrom(w.session.csrf, w.session.csrf, "", "wrong");
  return fc
    .tuple(
      procs,
      fc.array(input, { minLength: 3, maxLength: 3 }),
      fc.constantFrom("GET", "POST", "PUT"),
      fc.boolean(),
      cookie,
      csrf,
      fc.constantFrom("ok", "ok", "ok", "ok", "not-json", "raw-input"),
      extraHeaders,
      encodings,
      damage,
    )
    .map(([procs, inputs, verb, batched, c, x, shape, extra, encoding, dmg]) => {
      // Queries are sent with GET and mutations with POST, as the SPA does, unless PUT was drawn.
      const method = verb === "PUT" ? verb : procs.every((p) => PROCEDURES.query.includes(p)) ? "GET" : "POST";
      const batch = batched || procs.length > 1;
      const names = batch ? procs : procs.slice(0, 1);
      const payload = batch ? Object.fromEntries(names.map((_, i) => [String(i), inputs[i]])) : inputs[0];
      const text = shape === "not-json" ? "{not json" : (JSON.stringify(payload) ?? "");
      const headers: Header[] = [...extra];
      if (c) headers.push(["Cookie", c]);
      if (x) headers.push(["X-Csrf-Token", x]);
      // auth.logout is left out: it would end the session the rest of the run uses.
      let path = `/trpc/${names.join(",")}${batch ? "?batch=1" : ""}`;
      let body: Buffer | undefined;
      if (method === "GET") {
        path += `${batch ? "&" : "?"}input=${shape === "raw-input" ? "%7B%zz" : enc(text)}`;
      } else {
        const e = encode(dmg(Buffer.from(text)), encoding);
        body = e.body;
        if (e.header) headers.push(["Content-Encoding", e.header]);
        headers.push(["Content-Type", shape === "raw-input" ? "text/plain" : "application/json"]);
      }
      return { label: "trpc", method, path, headers, body };
    });
}

// ---------------------------------------------------------------------------------------

/** Every surface, with its share of the runs. */
export function surfaces(w: FuzzWorld): { name: string; share: number; requests: fc.Arbitrary<FuzzRequest> }[] {
  return [
    { name: "NuGet feed", share: 0.2, requests: nugetRequests(w) },
    { name: "npm feed", share: 0.2, requests: npmRequests(w) },
    { name: "RubyGems feed", share: 0.18, requests: rubygemsRequests(w) },
    { name: "Native API", share: 0.15, requests: nativeRequests(w) },
    { name: "management API", share: 0.12, requests: managementRequests(w) },
    { name: "tRPC", share: 0.15, requests: trpcRequests(w) },
  ];
}
