import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import {
  compareSemver,
  isValidDistTag,
  isValidNpmName,
  isValidSemver,
  npmNameFromPath,
  parseNpmPublish,
  parseSemver,
  readPackageJsonFromTarball,
  readPackageJsonFromTarballFile,
  type NpmPublish,
} from "./npm.ts";
import { buildNpmPublishBody, buildNpmTarball } from "./npm.fixtures.ts";
import { readPublishBody } from "./npm-publish-stream.ts";
import { buildTar, tarHeader } from "./tar.fixtures.ts";
import { formatError, formatErrorOf, expectOnlyFormatErrors, expectOnlyFormatErrorsAsync } from "./testing.ts";

const tmpDir = mkdtempSync(path.join(os.tmpdir(), "keyhouse-npm-format-"));
afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));

/** The body as the server reads it: serialized, streamed through readPublishBody, then checked. */
async function parsePublish(body: unknown, urlName: string): Promise<NpmPublish & { bytes: Buffer }> {
  const read = await readPublishBody(Readable.from([Buffer.from(JSON.stringify(body))]), {
    tmpDir,
    maxJsonBytes: 4 * 1024 * 1024,
    maxAttachmentBytes: 64 * 1024 * 1024,
  });
  try {
    const parsed = await parseNpmPublish(read.value, urlName);
    return { ...parsed, bytes: readFileSync(parsed.tarball.path) };
  } finally {
    await read.dispose();
  }
}

/** A deep copy of a fixture body that a test may then break. */
const clone = <T>(v: T): T => structuredClone(v);

describe("parseNpmPublish", () => {
  it("accepts what npm publish sends", async () => {
    const f = buildNpmPublishBody({ name: "left-pad", version: "1.3.0", readme: "# left-pad" });
    const p = await parsePublish(f.body, "left-pad");
    expect(p).toMatchObject({
      name: "left-pad",
      version: "1.3.0",
      distTags: { latest: "1.3.0" },
      integrity: f.integrity,
      shasum: f.shasum,
      readme: "# left-pad",
    });
    expect(p.manifest._id).toBe("left-pad@1.3.0");
    expect(p.tarball).toMatchObject({ name: "left-pad-1.3.0.tgz", size: f.tarball.length });
    expect(Buffer.compare(p.bytes, f.tarball)).toBe(0);
    expect(p.deprecated).toBeUndefined();
  });

  it("accepts scoped packages however the URL spells the slash, and other tags", async () => {
    const f = buildNpmPublishBody({ name: "@acme/widgets", version: "2.0.0-beta.1", tag: "next", deprecated: "use @acme/gadgets" });
    expect(f.urlName).toBe("@acme%2fwidgets");
    for (const url of ["@acme%2fwidgets", "@acme%2Fwidgets", "@acme/widgets"]) {
      const p = await parsePublish(f.body, url);
      expect(p).toMatchObject({ name: "@acme/widgets", version: "2.0.0-beta.1", distTags: { next: "2.0.0-beta.1" }, deprecated: "use @acme/gadgets" });
    }
  });

  it("ignores a provenance bundle next to the tarball and accepts multi-hash integrity", async () => {
    const f = buildNpmPublishBody({ name: "prov", version: "1.0.0" });
    const body = clone(f.body);
    const bundle = JSON.stringify({ mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.2" });
    body._attachments["prov-1.0.0.sigstore"] = { content_type: "application/vnd.dev.sigstore.bundle+json;version=0.2", data: bundle, length: bundle.length };
    body.versions["1.0.0"]!.dist.integrity = `sha1-abc= ${f.integrity}?opt`;
    expect((await parsePublish(body, "prov")).integrity).toBe(f.integrity);
  });

  it("accepts a package.json whose version npm cleaned", async () => {
    const f = buildNpmPublishBody({ name: "cleaned", version: "1.0.0", packageJson: { version: "v1.0.0" } });
    f.body.versions["1.0.0"]!.version = "1.0.0";
    expect((await parsePublish(f.body, "cleaned")).version).toBe("1.0.0");
  });

  const base = buildNpmPublishBody({ name: "pkg", version: "1.0.0" });
  type Body = typeof base.body & Record<string, unknown>;
  const other = buildNpmPublishBody({ name: "pkg", version: "1.0.0", description: "different bytes" });
  const cases: [string, (b: Body) => unknown, string, string?][] = [
    ["not an object", () => [], "The publish request must be a JSON object."],
    ["null", () => null, "The publish request must be a JSON object."],
    ["name differs from URL", (b) => ({ ...b, name: "other" }), 'The package name in the request ("other") does not match the URL ("pkg").'],
    ["bad _id", (b) => ({ ...b, _id: "x" }), 'The request\'s _id must be "pkg".'],
    ["no versions", (b) => ({ ...b, versions: undefined }), "The publish request has no versions object."],
    [
      "two versions",
      (b) => ({ ...b, versions: { ...b.versions, "1.0.1": b.versions["1.0.0"] } }),
      "A publish must contain exactly one version (this one has 2).",
    ],
    ["zero versions", (b) => ({ ...b, versions: {} }), "A publish must contain exactly one version (this one has 0)."],
    ["invalid version", (b) => ({ ...b, versions: { "1.0": b.versions["1.0.0"] } }), '"1.0" is not a valid semantic version (like 1.2.3 or 1.2.3-beta.1).'],
    ["manifest not object", (b) => ({ ...b, versions: { "1.0.0": "x" } }), 'versions["1.0.0"] must be an object.'],
    ["manifest name", (b) => ({ ...b, versions: { "1.0.0": { ...b.versions["1.0.0"], name: "nope" } } }), 'versions["1.0.0"].name must be "pkg".'],
    ["manifest version", (b) => ({ ...b, versions: { "1.0.0": { ...b.versions["1.0.0"], version: "1.0.1" } } }), 'versions["1.0.0"].version must be "1.0.0".'],
    ["manifest _id", (b) => ({ ...b, versions: { "1.0.0": { ...b.versions["1.0.0"], _id: "pkg@2" } } }), 'versions["1.0.0"]._id must be "pkg@1.0.0".'],
    ["no dist-tags", (b) => ({ ...b, "dist-tags": {} }), 'The publish request needs a "dist-tags" entry such as {"latest": "1.0.0"}.'],
    ["tag elsewhere", (b) => ({ ...b, "dist-tags": { latest: "0.9.0" } }), 'The dist-tag "latest" must point at the version being published (1.0.0).'],
    [
      "tag is a range",
      (b) => ({ ...b, "dist-tags": { "1.x": "1.0.0" } }),
      '"1.x" is not a valid dist-tag: use URL-safe characters and nothing that reads as a version range.',
    ],
    ["no attachments", (b) => ({ ...b, _attachments: undefined }), "The publish request has no _attachments (the package tarball)."],
    [
      "two tarballs",
      (b) => ({ ...b, _attachments: { ...b._attachments, "x.tgz": b._attachments["pkg-1.0.0.tgz"] } }),
      "A publish must carry exactly one tarball in _attachments (this one has 2).",
    ],
    ["no data", (b) => ({ ...b, _attachments: { "pkg-1.0.0.tgz": { length: 3 } } }), "The tarball attachment has no base64 data."],
    ["bad base64", (b) => ({ ...b, _attachments: { "pkg-1.0.0.tgz": { data: "ab$d", length: 3 } } }), "The tarball attachment's data is not valid base64."],
    ["empty data", (b) => ({ ...b, _attachments: { "pkg-1.0.0.tgz": { data: "", length: 0 } } }), "The tarball attachment is empty."],
    [
      "wrong length",
      (b) => ({ ...b, _attachments: { "pkg-1.0.0.tgz": { ...b._attachments["pkg-1.0.0.tgz"], length: 1 } } }),
      "The tarball attachment's length (1) does not match its data (",
    ],
    [
      "no integrity",
      (b) => ({ ...b, versions: { "1.0.0": { ...b.versions["1.0.0"], dist: { shasum: base.shasum } } } }),
      'versions["1.0.0"].dist.integrity is missing.',
    ],
    [
      "sha1 only",
      (b) => ({ ...b, versions: { "1.0.0": { ...b.versions["1.0.0"], dist: { integrity: "sha1-abc" } } } }),
      'versions["1.0.0"].dist.integrity has no sha512 hash.',
    ],
    [
      "integrity mismatch",
      (b) => ({ ...b, versions: { "1.0.0": { ...b.versions["1.0.0"], dist: { ...b.versions["1.0.0"]!.dist, integrity: other.integrity } } } }),
      'The tarball does not match versions["1.0.0"].dist.integrity (its sha512 is sha512-',
    ],
    [
      "shasum mismatch",
      (b) => ({ ...b, versions: { "1.0.0": { ...b.versions["1.0.0"], dist: { ...b.versions["1.0.0"]!.dist, shasum: other.shasum } } } }),
      `The tarball does not match versions["1.0.0"].dist.shasum (its sha1 is ${base.shasum}).`,
    ],
  ];
  it.each(cases)("rejects: %s", async (_label, mutate, message) => {
    expect(await formatErrorOf(() => parsePublish(mutate(clone(base.body) as Body), "pkg"))).toContain(message);
  });

  it("rejects a tarball whose package.json disagrees with the request", async () => {
    const wrongName = buildNpmPublishBody({ name: "pkg", version: "1.0.0", packageJson: { name: "evil" } });
    wrongName.body.versions["1.0.0"]!.name = "pkg";
    expect(await formatErrorOf(() => parsePublish(wrongName.body, "pkg"))).toBe('The tarball\'s package.json names "evil", not "pkg".');
    const wrongVersion = buildNpmPublishBody({ name: "pkg", version: "1.0.0", packageJson: { version: "9.9.9" } });
    wrongVersion.body.versions["1.0.0"]!.version = "1.0.0";
    expect(await formatErrorOf(() => parsePublish(wrongVersion.body, "pkg"))).toBe('The tarball\'s package.json has version "9.9.9", not "1.0.0".');
  });

  it("rejects invalid URL names", async () => {
    expect(await formatErrorOf(() => parsePublish(base.body, "Pkg"))).toBe('"Pkg" is not a valid npm package name: it contains capital letters.');
    expect(await formatErrorOf(() => parsePublish(base.body, "%E0%A4%A"))).toBe('"%E0%A4%A" is not a valid URL-encoded package name.');
  });

  it("refuses an attachment that was not decoded to a file", async () => {
    // Only readPublishBody's AttachmentFile counts as a tarball: a plain string never reaches the store.
    expect(await formatErrorOf(() => parseNpmPublish(clone(base.body), "pkg"))).toBe("The tarball attachment has no base64 data.");
  });

  it("only ever throws FormatError for arbitrary JSON", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.string({ maxLength: 20 }), async (body, url) => {
        await expectOnlyFormatErrorsAsync(() => parsePublish(body, url));
        await expectOnlyFormatErrorsAsync(() => parsePublish(body, "pkg"));
      }),
      { numRuns: 300 },
    );
  });

  it("only ever throws FormatError for mutated publish bodies", async () => {
    const paths = [
      ["name"],
      ["_id"],
      ["versions"],
      ["dist-tags"],
      ["_attachments"],
      ["versions", "1.0.0"],
      ["versions", "1.0.0", "dist"],
      ["versions", "1.0.0", "dist", "integrity"],
      ["_attachments", "pkg-1.0.0.tgz", "data"],
      ["_attachments", "pkg-1.0.0.tgz", "length"],
      ["dist-tags", "latest"],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue(), async (keys, value) => {
        const body = clone(base.body) as unknown as Record<string, unknown>;
        let o = body;
        for (const key of keys.slice(0, -1)) o = o[key] as Record<string, unknown>;
        o[keys[keys.length - 1]!] = value;
        await expectOnlyFormatErrorsAsync(() => parsePublish(body, "pkg"));
      }),
      { numRuns: 300 },
    );
  });
});

describe("readPackageJsonFromTarball", () => {
  it("reads package/package.json", () => {
    expect(readPackageJsonFromTarball(buildNpmTarball({ name: "a", version: "1.0.0" }))).toMatchObject({ name: "a", version: "1.0.0", main: "index.js" });
  });

  it("finds it after other files, behind ./, a pax path, or a ustar prefix", () => {
    const pkg = JSON.stringify({ name: "b", version: "1.0.0" });
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `package/lib/f${i}.js`, data: "x".repeat(i * 37) }));
    const variants = [
      [...many, { name: "package/package.json", data: pkg }],
      [{ name: "./package/package.json", data: pkg }],
      [{ name: "package/package.json", data: pkg, paxPath: true }],
      [
        { name: `package/${"d".repeat(90)}/${"e".repeat(60)}.js`, data: "1" },
        { name: "package/package.json", data: pkg },
      ],
      [
        { name: "package/sub", type: "5" },
        { name: "package/link", type: "2" },
        { name: "package/package.json", data: pkg },
      ],
    ];
    for (const entries of variants) expect(readPackageJsonFromTarball(buildNpmTarball({ name: "b", version: "1", entries })).name).toBe("b");
  });

  it("accepts a tarball that ends without the zero blocks", () => {
    const tgz = gzipSync(buildTar([{ name: "package/package.json", data: '{"name":"c"}' }], { endBlocks: 0 }));
    expect(readPackageJsonFromTarball(tgz).name).toBe("c");
  });

  const badTarballs: [Buffer, string][] = [
    [Buffer.from("not gzip at all, really"), "The package tarball is not gzip-compressed."],
    [gzipSync(Buffer.from("x".repeat(600))), "The package tarball is not a valid tar archive (a header checksum does not match)."],
    [
      buildNpmTarball({ name: "x", version: "1", entries: [{ name: "package/index.js", data: "1" }] }),
      "The package tarball does not contain package/package.json.",
    ],
    [
      buildNpmTarball({ name: "x", version: "1", entries: [{ name: "package.json", data: "{}" }] }),
      "The package tarball does not contain package/package.json.",
    ],
    [
      buildNpmTarball({ name: "x", version: "1", entries: [{ name: "package/package.json", data: "{nope" }] }),
      "package/package.json in the tarball is not valid JSON.",
    ],
    [
      buildNpmTarball({ name: "x", version: "1", entries: [{ name: "package/package.json", data: "[1]" }] }),
      "package/package.json in the tarball is not a JSON object.",
    ],
    [
      buildNpmTarball({ name: "x", version: "1", entries: [{ name: "package/package.json", data: " ".repeat(1024 * 1024 + 1) }] }),
      '"package/package.json" in the package tarball is too large (1048577 bytes; the limit is 1 MiB).',
    ],
    [gzipSync(buildTar([{ name: "package/package.json", data: `{"a":"${"x".repeat(900)}"}` }]).subarray(0, 700)), "The package tarball is truncated."],
    [buildNpmTarball({ name: "x", version: "1" }).subarray(0, 30), "The package tarball is damaged (its gzip data is invalid or truncated)."],
  ];
  it.each(badTarballs)("rejects bad tarball %#", (tgz, message) => {
    expect(formatError(() => readPackageJsonFromTarball(tgz))).toBe(message);
  });

  it("reads a tarball file a piece at a time, with the same answers and limits as in memory", async () => {
    const file = path.join(tmpDir, "read-from-file.tgz");
    // Incompressible bytes before package.json make the gzip span several reads.
    const noise = randomBytes(300 * 1024);
    const spread = buildNpmTarball({
      name: "d",
      version: "1",
      entries: [
        { name: "package/noise.bin", data: noise },
        { name: "package/package.json", data: '{"name":"d"}' },
      ],
    });
    expect(spread.length).toBeGreaterThan(128 * 1024);
    writeFileSync(file, spread);
    expect(await readPackageJsonFromTarballFile(file)).toEqual({ name: "d" });
    for (const [tgz, message] of [...badTarballs, [Buffer.alloc(0), "The package tarball is not gzip-compressed."] as [Buffer, string]]) {
      writeFileSync(file, tgz);
      expect(await formatErrorOf(() => readPackageJsonFromTarballFile(file))).toBe(message);
    }
    writeFileSync(
      file,
      buildNpmTarball({
        name: "x",
        version: "1",
        entries: [
          { name: "package/zeros", data: new Uint8Array(3 * 1024 * 1024) },
          { name: "package/package.json", data: "{}" },
        ],
      }),
    );
    expect(await formatErrorOf(() => readPackageJsonFromTarballFile(file, { maxUnpackedBytes: 1024 * 1024 }))).toBe(
      "The package tarball unpacks to more than 1 MiB before reaching package/package.json.",
    );
  });

  it("rejects a bad size field and a bad pax record", () => {
    const h = tarHeader("package/package.json", 2);
    h.set(Buffer.from("9999999999\0"), 124);
    let sum = 0;
    h.set(Buffer.from("        "), 148);
    for (const b of h) sum += b;
    h.set(Buffer.from(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    expect(formatError(() => readPackageJsonFromTarball(gzipSync(Buffer.concat([h, new Uint8Array(1024)]))))).toBe(
      "The package tarball is not a valid tar archive (a header has an invalid size).",
    );
    const pax = Buffer.concat([tarHeader("PaxHeader", 8, "x"), Buffer.from("99 path=\n"), new Uint8Array(503), new Uint8Array(1024)]);
    expect(formatError(() => readPackageJsonFromTarball(gzipSync(pax)))).toBe("The package tarball has an invalid extended header.");
  });

  it("stops inflating a bomb at the unpacked limit", () => {
    const bomb = buildNpmTarball({
      name: "x",
      version: "1",
      entries: [
        { name: "package/zeros", data: new Uint8Array(3 * 1024 * 1024) },
        { name: "package/package.json", data: "{}" },
      ],
    });
    expect(formatError(() => readPackageJsonFromTarball(bomb, { maxUnpackedBytes: 1024 * 1024 }))).toBe(
      "The package tarball unpacks to more than 1 MiB before reaching package/package.json.",
    );
    expect(readPackageJsonFromTarball(bomb)).toEqual({});
  });

  it("limits the number of entries scanned", () => {
    // The default is 100 000; a smaller limit keeps the test fast.
    const empty = tarHeader("package/empty.js", 0);
    const tgz = gzipSync(Buffer.concat(Array.from({ length: 1001 }, () => empty)));
    expect(formatError(() => readPackageJsonFromTarball(tgz, { maxEntries: 1000 }))).toBe("The package tarball has more than 1000 entries.");
  });

  it("only ever throws FormatError for random or damaged tarballs", () => {
    const valid = buildNpmTarball({ name: "fuzz", version: "1.0.0", extraEntries: [{ name: "package/x".repeat(20), data: "y", paxPath: true }] });
    const raw = gzipSync(buildTar([{ name: "package/package.json", data: '{"name":"z"}' }]), { level: 0 });
    fc.assert(
      fc.property(
        fc.constantFrom(valid, raw),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (tgz, cut, edits) => {
          const bytes = Buffer.from(tgz.subarray(0, tgz.length - (cut % tgz.length)));
          for (const [at, v] of edits) if (bytes.length) bytes[at % bytes.length] = v;
          expectOnlyFormatErrors(() => readPackageJsonFromTarball(bytes));
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expectOnlyFormatErrors(() => readPackageJsonFromTarball(Buffer.from(bytes)));
        expectOnlyFormatErrors(() => readPackageJsonFromTarball(gzipSync(bytes)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("npm names", () => {
  it("decodes path segments", () => {
    expect(npmNameFromPath("@scope%2fname")).toBe("@scope/name");
    expect(npmNameFromPath("@scope%2Fname")).toBe("@scope/name");
    expect(npmNameFromPath("@scope/name")).toBe("@scope/name");
    expect(npmNameFromPath("plain")).toBe("plain");
  });

  it.each([
    ["", "it is empty"],
    [" a", "it has leading or trailing spaces"],
    [".a", 'it starts with "." or "_"'],
    ["_a", 'it starts with "." or "_"'],
    ["A", "it contains capital letters"],
    ["node_modules", "that name is reserved"],
    ["a!", "it contains one of ~'!()*"],
    ["a b", "it may only contain URL-safe characters (and one / after an @scope)"],
    ["a/b", "it may only contain URL-safe characters (and one / after an @scope)"],
    ["@a/b/c", "it may only contain URL-safe characters (and one / after an @scope)"],
    ["a".repeat(215), "it is longer than 214 characters"],
  ])("rejects %j", (name, problem) => {
    expect(formatError(() => npmNameFromPath(encodeURIComponent(name)))).toBe(`"${name.slice(0, 80)}" is not a valid npm package name: ${problem}.`);
  });

  it("accepts real names", () => {
    for (const ok of ["react", "@types/node", "lodash.merge", "a-b_c", "@babel/core", "x".repeat(214)]) expect(isValidNpmName(ok)).toBe(true);
  });

  it("validates dist-tags", () => {
    // The npm CLI's own rule is semver.validRange(tag): "2-beta" is a tag, "x.x.x" a range.
    for (const ok of ["latest", "next", "beta", "canary-2", "x-1", "2-beta", "1beta"]) expect(isValidDistTag(ok), ok).toBe(true);
    for (const bad of ["", "1", "1.x", "v2", "^1", "~1", "*", "x", "X.x", "x.x.x", "a b", "a/b"]) expect(isValidDistTag(bad), bad).toBe(false);
  });
});

describe("semver", () => {
  it("parses", () => {
    expect(parseSemver("1.2.3-beta.11+build.7")).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ["beta", 11], build: ["build", "7"] });
  });

  it.each([
    "1",
    "1.2",
    "v1.2.3",
    "01.2.3",
    "1.02.3",
    "1.2.3-01",
    "1.2.3-",
    "1.2.3+",
    "1.2.3-a..b",
    " 1.2.3",
    "1.2.3 ",
    "1.2.3-é",
    "9007199254740992.0.0",
    `1.2.3-${"a".repeat(260)}`,
  ])("rejects %j", (v) => {
    expect(isValidSemver(v)).toBe(false);
    expect(formatError(() => parseSemver(v))).toMatch(/is not a valid semantic version/);
  });

  it.each(["0.0.0", "1.2.3-0", "1.2.3-0a", "1.2.3-alpha-1.x", "1.0.0+001", "10.20.30-rc.1+meta-data"])("accepts %j", (v) => {
    expect(isValidSemver(v)).toBe(true);
  });

  it("orders by SemVer precedence (the spec's example chain)", () => {
    const chain = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "2.0.0",
      "10.0.0",
    ];
    expect([...chain].reverse().sort(compareSemver)).toEqual(chain);
    expect(compareSemver("1.0.0+a", "1.0.0+b")).toBe(0);
  });

  it("is a consistent ordering", () => {
    const id = fc.constantFrom("alpha", "beta", "0", "1", "11", "2", "rc", "x-1");
    const v = fc
      .tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.array(id, { maxLength: 3 }))
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre.length ? `-${pre.join(".")}` : ""}`);
    fc.assert(
      fc.property(v, v, v, (a, b, c) => {
        expect(compareSemver(a, b)).toBe(-compareSemver(b, a) || 0);
        if (compareSemver(a, b) <= 0 && compareSemver(b, c) <= 0) expect(compareSemver(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});
