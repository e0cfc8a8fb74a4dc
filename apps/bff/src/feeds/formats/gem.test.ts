import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { compactInfoFile, compactVersionsFile, isValidGemName, isValidGemVersion, readGem, readGemspecYaml } from "./gem.ts";
import { buildGem, gemspecYaml } from "./gem.fixtures.ts";
import { buildTar, tarHeader } from "./tar.fixtures.ts";
import { formatError, expectOnlyFormatErrors, truncatedAndEdited } from "./testing.ts";

const gemWithYaml = (yaml: string) => buildGem({ name: "x", version: "1", metadataYaml: yaml });
/** The fixture gemspec with some top-level keys (and everything nested under them) replaced. */
function specWith(overrides: Record<string, string>): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of gemspecYaml({ name: "hola", version: "1.0.0" }).split("\n")) {
    if (skipping && /^[ -]/.test(line)) continue;
    const key = /^([a-z_]+):/.exec(line)?.[1];
    skipping = !!key && key in overrides;
    out.push(skipping ? overrides[key!]! : line);
  }
  return out.join("\n");
}

describe("readGem", () => {
  it("reads what gem build writes", () => {
    const bytes = buildGem({
      name: "hola",
      version: "0.1.0",
      summary: "Hola: a greeting!",
      authors: ["Ann", "Bob"],
      dependencies: [
        { name: "thor", requirements: [">= 0.19.0", "< 2.0"] },
        { name: "rake", requirements: ["~> 13.0"], type: "development" },
        { name: "json" },
      ],
      requiredRubyVersion: [">= 2.7.0"],
    });
    expect(readGem(bytes)).toEqual({
      name: "hola",
      version: "0.1.0",
      platform: "ruby",
      summary: "Hola: a greeting!",
      authors: ["Ann", "Bob"],
      dependencies: [
        { name: "thor", requirements: ">= 0.19.0, < 2.0", type: "runtime" },
        { name: "rake", requirements: "~> 13.0", type: "development" },
        { name: "json", requirements: ">= 0", type: "runtime" },
      ],
      requiredRubyVersion: ">= 2.7.0",
      requiredRubygemsVersion: ">= 0",
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
  });

  it("reads platform gems, prerelease versions and gems without checksums.yaml.gz", () => {
    expect(readGem(buildGem({ name: "nokogiri", version: "1.16.0.rc1", platform: "x86_64-linux", omitChecksums: true }))).toMatchObject({
      name: "nokogiri",
      version: "1.16.0.rc1",
      platform: "x86_64-linux",
    });
  });

  it("reads old Psych output: anchors, aliases, `! '>='`, none:, segments and Gem::Platform", () => {
    const yaml = `--- !ruby/object:Gem::Specification
name: yarf
version: !ruby/object:Gem::Version
  hash: 23
  prerelease: 
  segments: 
  - 0
  - 0
  - 1
  version: 0.0.1
platform: !ruby/object:Gem::Platform
  cpu: x86
  os: mswin32
  version: "60"
authors:
- Stoyan Zhekov
date: 2012-01-24 00:00:00.000000000 Z
dependencies:
- !ruby/object:Gem::Dependency
  name: rack
  requirement: &70215006312480 !ruby/object:Gem::Requirement
    none: false
    requirements:
    - - ! '>='
      - !ruby/object:Gem::Version
        version: '0'
  type: :runtime
  prerelease: false
  version_requirements: *70215006312480
- !ruby/object:Gem::Dependency 
  name: markaby
  type: :development
  version_requirement: 
  version_requirements: !ruby/object:Gem::Requirement 
    requirements: 
    - - ">="
      - !ruby/object:Gem::Version 
        version: "0.5"
    version: 
summary: !binary |-
  SMOpbGxvIHfDtnJsZA==
`;
    expect(readGem(gemWithYaml(yaml))).toMatchObject({
      name: "yarf",
      version: "0.0.1",
      platform: "x86-mswin32-60",
      summary: "Héllo wörld",
      dependencies: [
        { name: "rack", requirements: ">= 0", type: "runtime" },
        { name: "markaby", requirements: ">= 0.5", type: "development" },
      ],
    });
  });

  it("keeps versions that look like numbers as written", () => {
    expect(readGemspecYaml(specWith({ version: "version: 1.10" })).version).toBe("1.10");
  });

  const valid = buildGem({ name: "ok", version: "1.0.0" });
  const metadata = gzipSync(gemspecYaml({ name: "ok", version: "1.0.0" }));
  const data = gzipSync(buildTar([{ name: "lib/ok.rb", data: "" }]));
  it.each([
    ["empty", new Uint8Array(0), "The .gem is empty."],
    ["random bytes", Buffer.from("definitely not a gem".repeat(40)), "The .gem is not a valid tar archive (a header checksum does not match)."],
    ["truncated", valid.subarray(0, 700), "The .gem is truncated."],
    ["no metadata", buildTar([{ name: "data.tar.gz", data }]), "The .gem does not contain metadata.gz; build it with `gem build`."],
    ["no data", buildTar([{ name: "metadata.gz", data: metadata }]), "The .gem does not contain data.tar.gz; build it with `gem build`."],
    [
      "two metadata",
      buildTar([
        { name: "metadata.gz", data: metadata },
        { name: "metadata.gz", data: metadata },
        { name: "data.tar.gz", data },
      ]),
      "The .gem contains metadata.gz more than once.",
    ],
    [
      "metadata not gzip",
      buildTar([
        { name: "metadata.gz", data: "plain" },
        { name: "data.tar.gz", data },
      ]),
      "metadata.gz in the .gem is not valid gzip data.",
    ],
    [
      "metadata too big",
      buildTar([
        { name: "metadata.gz", data: gzipSync(" ".repeat(1024 * 1024 + 1)) },
        { name: "data.tar.gz", data },
      ]),
      "metadata.gz is larger than 1 MiB when decompressed.",
    ],
    [
      "metadata not utf-8",
      buildTar([
        { name: "metadata.gz", data: gzipSync(Buffer.from([0x2d, 0xff])) },
        { name: "data.tar.gz", data },
      ]),
      "The gemspec in metadata.gz is not UTF-8 text.",
    ],
    [
      "checksums damaged",
      buildTar([
        { name: "metadata.gz", data: metadata },
        { name: "data.tar.gz", data },
        { name: "checksums.yaml.gz", data: gzipSync(`---\nSHA256:\n  data.tar.gz: ${"0".repeat(64)}\n`) },
      ]),
      "data.tar.gz does not match its SHA256 checksum in checksums.yaml.gz; the .gem is damaged.",
    ],
    [
      "checksums not a map",
      buildTar([
        { name: "metadata.gz", data: metadata },
        { name: "data.tar.gz", data },
        { name: "checksums.yaml.gz", data: gzipSync("- a\n") },
      ]),
      "checksums.yaml.gz in the .gem is not a YAML mapping.",
    ],
    [
      "checksums huge",
      buildTar([
        { name: "metadata.gz", data: metadata },
        { name: "data.tar.gz", data },
        { name: "checksums.yaml.gz", data: gzipSync(" ".repeat(70_000)) },
      ]),
      "checksums.yaml.gz is larger than 64 KiB when decompressed.",
    ],
  ])("rejects a bad archive: %s", (_label, bytes, message) => {
    expect(formatError(() => readGem(bytes))).toBe(message);
  });

  it("verifies SHA512 checksums too", () => {
    const sums = gzipSync(`---\nSHA512:\n  metadata.gz: ${"a".repeat(128)}\n`);
    expect(
      formatError(() =>
        readGem(
          buildTar([
            { name: "metadata.gz", data: metadata },
            { name: "data.tar.gz", data },
            { name: "checksums.yaml.gz", data: sums },
          ]),
        ),
      ),
    ).toBe("metadata.gz does not match its SHA512 checksum in checksums.yaml.gz; the .gem is damaged.");
  });

  it.each([
    ["bad YAML", "--- [unclosed", "The gemspec in metadata.gz is not valid YAML ("],
    [
      "a Kernel object",
      "--- !ruby/object:Kernel\nname: x\n",
      "The gemspec in metadata.gz uses the YAML tag !ruby/object:Kernel, which RubyGems does not allow.",
    ],
    [
      "a ruby hash subclass",
      specWith({ metadata: "metadata: !ruby/hash:ActiveSupport::HashWithIndifferentAccess {}" }),
      "uses the YAML tag !ruby/hash:ActiveSupport::HashWithIndifferentAccess, which RubyGems does not allow.",
    ],
    ["a list", "- a\n- b\n", "The gemspec in metadata.gz is not a Gem::Specification."],
    ["no name", specWith({ name: "" }), "The gemspec has no name."],
    ["a bad name", specWith({ name: "name: my gem" }), '"my gem" is not a valid gem name: use only letters, digits, ".", "-" and "_".'],
    ["a digits-only name", specWith({ name: "name: '123'" }), '"123" is not a valid gem name: it must include at least one letter.'],
    ["a dotted name", specWith({ name: "name: _private" }), '"_private" is not a valid gem name: it cannot begin with ".", "-" or "_".'],
    ["a long name", specWith({ name: `name: ${"a".repeat(256)}` }), "is not a valid gem name: it is longer than 255 characters."],
    ["no version", specWith({ version: "" }), "The gemspec has no version."],
    ["a bad version", specWith({ version: "version: 1.0 beta" }), '"1.0 beta" is not a valid gem version.'],
    ["a bad platform", specWith({ platform: "platform: x86 linux" }), '"x86 linux" is not a valid gem platform.'],
    ["dependencies not a list", specWith({ dependencies: "dependencies: nope" }), "The gemspec's dependencies are not a list."],
    ["a scalar dependency", specWith({ dependencies: "dependencies:\n- rake" }), "The gemspec has a dependency that is not a Gem::Dependency."],
    ["a bad dependency name", specWith({ dependencies: "dependencies:\n- name: 'a b'" }), 'The gemspec has a dependency with an invalid name "a b".'],
    [
      "a bad dependency type",
      specWith({ dependencies: "dependencies:\n- name: rake\n  type: :optional" }),
      'The dependency "rake" has an unknown type "optional".',
    ],
    [
      "a bad operator",
      specWith({ dependencies: "dependencies:\n- name: rake\n  requirement:\n    requirements:\n    - - '=>'\n      - version: '1'" }),
      'The gemspec\'s the dependency "rake" has an invalid requirement.',
    ],
    [
      "an empty requirement",
      specWith({ required_ruby_version: "required_ruby_version: {requirements: []}" }),
      "The gemspec's required_ruby_version is not a valid Gem::Requirement.",
    ],
    [
      "an alias bomb",
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
      "The gemspec in metadata.gz uses too many YAML aliases.",
    ],
  ])("rejects a gemspec with %s", (_label, yaml, message) => {
    expect(formatError(() => readGem(gemWithYaml(yaml)))).toContain(message);
  });

  it("limits the number of tar entries", () => {
    const empty = tarHeader("junk", 0);
    expect(formatError(() => readGem(Buffer.concat(Array.from({ length: 10_001 }, () => empty))))).toBe("The .gem has more than 10000 entries.");
  });

  it("refuses deeply nested YAML instead of overflowing the stack", () => {
    const flow = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    const block = `x:\n${Array.from({ length: 1_000 }, (_, i) => `${" ".repeat(i + 1)}- `).join("\n")}`;
    for (const yaml of [flow, block]) expect(formatError(() => readGem(gemWithYaml(yaml)))).toBe("The gemspec in metadata.gz is nested too deeply.");
  });

  it("only ever throws FormatError for random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        expectOnlyFormatErrors(() => readGem(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("only ever throws FormatError for truncated or mutated gems", () => {
    const full = buildGem({ name: "fuzz", version: "1.2.3", dependencies: [{ name: "a", requirements: ["~> 1.0"] }], requiredRubyVersion: [">= 3.0"] });
    // Stored (level 0) gzip makes mutations land in the YAML text itself.
    const yaml = gemspecYaml({ name: "fuzz", version: "1.2.3", dependencies: [{ name: "a", requirements: ["~> 1.0"] }] });
    const plain = buildTar([
      { name: "metadata.gz", data: gzipSync(yaml, { level: 0 }) },
      { name: "data.tar.gz", data },
    ]);
    fc.assert(
      fc.property(
        fc.constantFrom(full, plain),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (gem, cut, edits) => {
          const bytes = truncatedAndEdited(gem, cut, edits);
          expectOnlyFormatErrors(() => readGem(bytes));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("only ever throws FormatError for arbitrary gemspec text", () => {
    const yaml = gemspecYaml({ name: "fuzz", version: "1.2.3", dependencies: [{ name: "a", requirements: ["~> 1.0"] }] });
    const pieces = fc.constantFrom(
      "!ruby/object:Gem::Version ",
      "!ruby/object:Gem::Requirement\n",
      "!binary ",
      "&a ",
      "*a",
      "- ",
      "  ",
      "\n",
      ": ",
      "[",
      "]",
      "{",
      "}",
      "'",
      '"',
      "name: x\n",
      "version: 1\n",
      "requirements:\n",
      "---\n",
      "!!map ",
      "!foo ",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 40 }), fc.nat(yaml.length), (parts, at) => {
        expectOnlyFormatErrors(() => readGemspecYaml(parts.join("")));
        expectOnlyFormatErrors(() => readGemspecYaml(yaml.slice(0, at) + parts.join("") + yaml.slice(at)));
      }),
      { numRuns: 200 },
    );
  });
});

describe("gem names and versions", () => {
  it("validates names", () => {
    for (const ok of ["rails", "net-http", "aws-sdk-s3", "ruby_parser", "a.b", "3scale-api", "A"]) expect(isValidGemName(ok)).toBe(true);
    for (const bad of ["", "my gem", "-a", ".a", "_a", "123", "a/b", "ä"]) expect(isValidGemName(bad)).toBe(false);
  });
  it("validates versions", () => {
    for (const ok of ["1", "1.0", "1.0.0.rc1", "1.0.0-beta.1", "0.0.1.pre", "2024.01.02"]) expect(isValidGemVersion(ok)).toBe(true);
    for (const bad of ["", "v1", "1..0", "1.0 ", "1.0-", "a.b", "1.0+build"]) expect(isValidGemVersion(bad)).toBe(false);
  });
});

describe("compact index", () => {
  it("writes the versions file", () => {
    const out = compactVersionsFile(
      [
        {
          name: "rack",
          versions: [
            { number: "2.2.8", platform: "ruby" },
            { number: "3.0.0", platform: "ruby" },
          ],
          infoChecksum: "c54e4b7e14861a5d8c225283b75075f4",
        },
        {
          name: "nokogiri",
          versions: [
            { number: "1.16.0", platform: "ruby" },
            { number: "1.16.0", platform: "x86_64-linux" },
          ],
          infoChecksum: "00fd5c36764f4ec1e8adf1c9adaada55",
        },
        { name: "gone", versions: [], infoChecksum: "d41d8cd98f00b204e9800998ecf8427e" },
      ],
      new Date("2024-04-01T00:00:05.123Z"),
    );
    expect(out).toBe(
      "created_at: 2024-04-01T00:00:05Z\n---\n" +
        "rack 2.2.8,3.0.0 c54e4b7e14861a5d8c225283b75075f4\n" +
        "nokogiri 1.16.0,1.16.0-x86_64-linux 00fd5c36764f4ec1e8adf1c9adaada55\n",
    );
    expect(compactVersionsFile([], new Date(0))).toBe("created_at: 1970-01-01T00:00:00Z\n---\n");
  });

  it("writes info files the way rubygems.org does", () => {
    const sum = "a".repeat(64);
    const out = compactInfoFile([
      { number: "0.1.0", platform: "ruby", dependencies: [], checksum: sum },
      {
        number: "5.2.3",
        platform: "ruby",
        dependencies: [
          { name: "thor", requirements: ">= 0.19.0, < 2.0" },
          { name: "actionpack", requirements: "= 5.2.3" },
          { name: "rspec", requirements: "~> 3.0", type: "development" },
          { name: "method_source", requirements: "" },
        ],
        checksum: sum,
        requiredRuby: ">= 2.2.2",
        requiredRubygems: ">= 0",
      },
      { number: "1.0.0", platform: "java", dependencies: [], checksum: sum, requiredRuby: ">= 3.1, < 3.5.dev", requiredRubygems: ">= 3.3.22" },
    ]);
    expect(out).toBe(
      "---\n" +
        `0.1.0 |checksum:${sum}\n` +
        `5.2.3 actionpack:= 5.2.3,method_source:>= 0,thor:< 2.0&>= 0.19.0|checksum:${sum},ruby:>= 2.2.2\n` +
        `1.0.0-java |checksum:${sum},ruby:< 3.5.dev&>= 3.1,rubygems:>= 3.3.22\n`,
    );
    expect(compactInfoFile([])).toBe("---\n");
  });

  it("the versions file checksum is the MD5 of the info file", () => {
    const info = compactInfoFile([{ number: "1.0.0", platform: "ruby", dependencies: [], checksum: "b".repeat(64) }]);
    const md5 = createHash("md5").update(info).digest("hex");
    expect(compactVersionsFile([{ name: "x", versions: [{ number: "1.0.0", platform: "ruby" }], infoChecksum: md5 }], new Date(0))).toContain(
      `x 1.0.0 ${md5}\n`,
    );
  });

  it("refuses values that would corrupt a line", () => {
    expect(formatError(() => compactVersionsFile([{ name: "a b", versions: [{ number: "1", platform: "ruby" }], infoChecksum: "x" }], new Date(0)))).toBe(
      'The gem name "a b" cannot be written to the compact index.',
    );
    expect(formatError(() => compactInfoFile([{ number: "1,2", platform: "ruby", dependencies: [], checksum: "x" }]))).toBe(
      'The version "1,2" cannot be written to the compact index.',
    );
    expect(formatError(() => compactInfoFile([{ number: "1", platform: "ruby", dependencies: [{ name: "a", requirements: ">= 1|x" }], checksum: "x" }]))).toBe(
      '">= 1|x" cannot be written to the compact index.',
    );
  });
});
