// Builds real .gem files for tests, laid out as `gem build` (RubyGems 3.x) writes them:
// a plain tar of metadata.gz (Psych YAML with Ruby tags), data.tar.gz and
// checksums.yaml.gz (SHA256 and SHA512 of the other two).
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { buildTar } from "./tar.fixtures.ts";
import type { TarInput } from "./tar.fixtures.ts";

export interface GemSpecInput {
  name: string;
  version: string;
  platform?: string;
  summary?: string;
  authors?: string[];
  /** requirements like ["~> 13.0"] or [">= 1.0", "< 2"] */
  dependencies?: { name: string; requirements?: string[]; type?: "runtime" | "development" }[];
  requiredRubyVersion?: string[];
  requiredRubygemsVersion?: string[];
  /** Replaces the generated gemspec YAML. */
  metadataYaml?: string;
  /** Leave out checksums.yaml.gz (gems built before RubyGems 2.0 have none). */
  omitChecksums?: boolean;
  /** Replaces the outer tar's entries entirely. */
  entries?: TarInput[];
}

/** Psych quotes scalars that would otherwise read as numbers or need escaping. */
function scalar(s: string): string {
  if (/^\d+(\.\d+)?$/.test(s)) return `'${s}'`;
  if (/^[A-Za-z0-9][A-Za-z0-9 ._@/-]*$/.test(s) && !s.endsWith(" ")) return s;
  return JSON.stringify(s);
}

function requirement(reqs: string[], indent: string): string {
  const lines = reqs.map((r) => {
    const [op, v] = r.split(" ");
    return `${indent}- - ${JSON.stringify(op)}\n${indent}  - !ruby/object:Gem::Version\n${indent}    version: ${scalar(v!)}\n`;
  });
  return `!ruby/object:Gem::Requirement\n${indent}requirements:\n${lines.join("")}`;
}

export function gemspecYaml(spec: GemSpecInput): string {
  const deps = (spec.dependencies ?? []).map((d) => {
    const req = requirement(d.requirements ?? [">= 0"], "    ");
    return `- !ruby/object:Gem::Dependency\n  name: ${scalar(d.name)}\n  requirement: ${req}  type: :${d.type ?? "runtime"}\n  prerelease: false\n  version_requirements: ${req}`;
  });
  return [
    "--- !ruby/object:Gem::Specification",
    `name: ${scalar(spec.name)}`,
    "version: !ruby/object:Gem::Version",
    `  version: ${scalar(spec.version)}`,
    `platform: ${scalar(spec.platform ?? "ruby")}`,
    "authors:",
    ...(spec.authors ?? ["Keyhouse Tests"]).map((a) => `- ${scalar(a)}`),
    "autorequire:",
    "bindir: bin",
    "cert_chain: []",
    "date: 2024-01-01 00:00:00.000000000 Z",
    deps.length ? `dependencies:\n${deps.join("").trimEnd()}` : "dependencies: []",
    "description: A gem built for tests.",
    "email: tests@keyhouse.invalid",
    "executables: []",
    "extensions: []",
    "extra_rdoc_files: []",
    "files:",
    `- lib/${spec.name}.rb`,
    "homepage: https://keyhouse.invalid",
    "licenses:",
    "- MIT",
    "metadata: {}",
    "post_install_message:",
    "rdoc_options: []",
    "require_paths:",
    "- lib",
    `required_ruby_version: ${requirement(spec.requiredRubyVersion ?? [">= 0"], "  ")}`.trimEnd(),
    `required_rubygems_version: ${requirement(spec.requiredRubygemsVersion ?? [">= 0"], "  ")}`.trimEnd(),
    "requirements: []",
    "rubygems_version: 3.4.20",
    "signing_key:",
    "specification_version: 4",
    `summary: ${scalar(spec.summary ?? `The ${spec.name} gem.`)}`,
    "test_files: []",
    "",
  ].join("\n");
}

export function buildGem(spec: GemSpecInput): Uint8Array {
  const metadata = gzipSync(spec.metadataYaml ?? gemspecYaml(spec));
  const data = gzipSync(buildTar([{ name: `lib/${spec.name}.rb`, data: `module Fixture; VERSION = "${spec.version}"; end\n`, mode: 0o644 }]));
  const digests = (alg: string) => `${alg.toUpperCase()}:\n  metadata.gz: ${hex(alg, metadata)}\n  data.tar.gz: ${hex(alg, data)}\n`;
  const checksums = gzipSync(`---\n${digests("sha256")}${digests("sha512")}`);
  const entries: TarInput[] = spec.entries ?? [
    { name: "metadata.gz", data: metadata, mode: 0o444 },
    { name: "data.tar.gz", data, mode: 0o444 },
    ...(spec.omitChecksums ? [] : [{ name: "checksums.yaml.gz", data: checksums, mode: 0o444 }]),
  ];
  return buildTar(entries);
}

function hex(alg: string, data: Uint8Array): string {
  return createHash(alg).update(data).digest("hex");
}
