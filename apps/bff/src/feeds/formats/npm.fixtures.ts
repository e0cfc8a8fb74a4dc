// Builds the JSON body `npm publish` sends (libnpmpublish's buildMetadata), around a real
// .tgz: gzip of a ustar archive holding package/package.json and package/index.js.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { buildTar } from "./tar.fixtures.ts";
import type { TarInput } from "./tar.fixtures.ts";

export interface NpmPackageSpec {
  name: string;
  version: string;
  description?: string;
  /** The dist-tag (npm publish --tag); "latest" by default. */
  tag?: string;
  readme?: string;
  deprecated?: string;
  /** Extra package.json fields (also copied into the manifest). */
  packageJson?: Record<string, unknown>;
  /** Replaces the tar entries entirely. */
  entries?: TarInput[];
  /** Extra tar entries after the defaults. */
  extraEntries?: TarInput[];
  registry?: string;
}

export interface NpmPublishFixture {
  body: {
    _id: string;
    name: string;
    description?: string;
    "dist-tags": Record<string, string>;
    versions: Record<string, Record<string, unknown> & { dist: { integrity: string; shasum: string; tarball: string } }>;
    access: string;
    _attachments: Record<string, { content_type: string; data: string; length: number }>;
  };
  tarball: Buffer;
  integrity: string;
  shasum: string;
  /** The path segment npm uses: "@scope%2fname" for scoped packages. */
  urlName: string;
}

/** The package.json the tarball holds, which the publish manifest repeats. */
function packageJsonOf(spec: NpmPackageSpec) {
  return {
    name: spec.name,
    version: spec.version,
    description: spec.description ?? "A test package.",
    main: "index.js",
    license: "MIT",
    ...spec.packageJson,
  };
}

export function buildNpmTarball(spec: NpmPackageSpec): Buffer {
  const pkg = packageJsonOf(spec);
  const entries = spec.entries ?? [
    { name: "package/package.json", data: `${JSON.stringify(pkg, null, 2)}\n` },
    { name: "package/index.js", data: "module.exports = 42;\n" },
    ...(spec.extraEntries ?? []),
  ];
  return gzipSync(buildTar(entries, { endBlocks: 2 }));
}

export function buildNpmPublishBody(spec: NpmPackageSpec): NpmPublishFixture {
  const tarball = buildNpmTarball(spec);
  const integrity = `sha512-${createHash("sha512").update(tarball).digest("base64")}`;
  const shasum = createHash("sha1").update(tarball).digest("hex");
  const registry = spec.registry ?? "http://127.0.0.1:4873/npm/main/";
  const tarballName = `${spec.name}-${spec.version}.tgz`;
  const manifest = {
    ...packageJsonOf(spec),
    ...(spec.readme === undefined ? {} : { readme: spec.readme, readmeFilename: "README.md" }),
    ...(spec.deprecated === undefined ? {} : { deprecated: spec.deprecated }),
    _id: `${spec.name}@${spec.version}`,
    _nodeVersion: "22.20.0",
    _npmVersion: "10.9.3",
    dist: { integrity, shasum, tarball: new URL(`${spec.name}/-/${tarballName}`, registry).href },
  };
  const body: NpmPublishFixture["body"] = {
    _id: spec.name,
    name: spec.name,
    description: manifest.description,
    "dist-tags": { [spec.tag ?? "latest"]: spec.version },
    versions: { [spec.version]: manifest },
    access: "public",
    _attachments: { [tarballName]: { content_type: "application/octet-stream", data: tarball.toString("base64"), length: tarball.length } },
  };
  return { body, tarball, integrity, shasum, urlName: spec.name.replace("/", "%2f") };
}
