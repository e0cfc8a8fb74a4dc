// quick/Marshal.4.8/{name}-{version}[-{platform}].gemspec.rz: the deflated Marshal dump
// of a Gem::Specification. `gem install` reads it after the compact index to learn the
// file name to download; the complete specification comes from the .gem itself, so the
// fields the compact index does not carry are left at their defaults.
import { deflateSync } from "node:zlib";
import { marshalDump, sym, type RubyValue } from "./marshal.ts";
import type { StoredGem } from "./stored-gem.ts";

const SPECIFICATION_VERSION = 4;

const version = (v: string): RubyValue => ({ kind: "userMarshal", className: "Gem::Version", data: [v] });

function requirement(text: string | undefined): RubyValue {
  const pairs = (text ?? ">= 0")
    .split(/,\s*/)
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r): RubyValue => {
      const m = /^(=|!=|>=|<=|>|<|~>)\s*(\S+)$/.exec(r);
      return m ? [m[1]!, version(m[2]!)] : ["=", version(r)];
    });
  return { kind: "userMarshal", className: "Gem::Requirement", data: [pairs.length ? pairs : [[">=", version("0")]]] };
}

/** The array Gem::Specification#_dump writes, in its field order. */
function specificationFields(gem: StoredGem, date: Date): RubyValue[] {
  return [
    "0", // rubygems_version: unknown here, and only ever displayed
    SPECIFICATION_VERSION,
    gem.name,
    version(gem.version),
    date.toISOString().slice(0, 10), // Specification#date= accepts "YYYY-MM-DD"
    gem.summary ?? "",
    requirement(gem.requiredRubyVersion),
    requirement(gem.requiredRubygemsVersion),
    gem.platform, // original_platform
    gem.dependencies.map(
      (d): RubyValue => ({
        kind: "object",
        className: "Gem::Dependency",
        ivars: [
          ["@name", d.name],
          ["@requirement", requirement(d.requirements)],
          ["@type", sym(d.type)],
          ["@prerelease", false],
        ],
      }),
    ),
    "", // rubyforge_project
    null, // email
    gem.authors,
    null, // description
    null, // homepage
    true, // has_rdoc
    gem.platform, // new_platform: a String is accepted wherever a Gem::Platform is
    [], // licenses
    { kind: "hash", entries: [] }, // metadata
  ];
}

export function quickSpec(gem: StoredGem, date: Date): Buffer {
  const inner = marshalDump(specificationFields(gem, date));
  return deflateSync(marshalDump({ kind: "userDef", className: "Gem::Specification", bytes: inner }));
}
