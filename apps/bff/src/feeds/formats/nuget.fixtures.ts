// Builds real .nupkg files for tests, shaped like `nuget pack` output: the OPC parts
// ([Content_Types].xml and _rels/.rels pointing at the manifest — NuGet 2.8.7 refuses a
// package without them), the .nuspec at the root, and a dummy assembly.
import { strToU8, zipSync } from "fflate";
import type { Zippable } from "fflate";
import type { NuspecFields } from "../nuget/metadata.ts";

export interface NupkgSpec extends Omit<NuspecFields, "dependencies"> {
  dependencies?: { id: string; range?: string; targetFramework?: string }[];
  /** Replaces the generated .nuspec text entirely. */
  nuspecXml?: string;
  /** Extra or replacement zip entries (path → contents). */
  files?: Record<string, string | Uint8Array>;
  /** Leave the .nuspec out (to test its absence). */
  omitNuspec?: boolean;
}

export const NUSPEC_NS = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function nuspecXml(spec: NupkgSpec): string {
  const el = (name: string, value: string | undefined) => (value === undefined ? "" : `    <${name}>${esc(value)}</${name}>\n`);
  const deps = spec.dependencies ?? [];
  const groups = new Map<string | undefined, typeof deps>();
  for (const d of deps) groups.set(d.targetFramework, [...(groups.get(d.targetFramework) ?? []), d]);
  const depXml = (d: (typeof deps)[number]) =>
    `        <dependency id="${esc(d.id)}"${d.range === undefined ? "" : ` version="${esc(d.range)}"`} exclude="Build,Analyzers" />\n`;
  const dependencies = deps.length
    ? `    <dependencies>\n${[...groups]
        .map(([tfm, ds]) => `      <group${tfm ? ` targetFramework="${esc(tfm)}"` : ""}>\n${ds.map(depXml).join("")}      </group>\n`)
        .join("")}    </dependencies>\n`
    : "";
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="${NUSPEC_NS}">\n  <metadata>\n` +
    el("id", spec.id) +
    el("version", spec.version) +
    el("title", spec.title) +
    el("authors", spec.authors ?? "Keyhouse Tests") +
    el("description", spec.description ?? `The ${spec.id} package.`) +
    el("tags", spec.tags) +
    dependencies +
    `  </metadata>\n</package>\n`
  );
}

export function buildNupkg(spec: NupkgSpec): Uint8Array {
  const contentTypes =
    `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />` +
    `<Default Extension="nuspec" ContentType="application/octet" />` +
    `<Default Extension="dll" ContentType="application/octet" /></Types>`;
  const rels =
    `<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    `<Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/${spec.id}.nuspec" Id="R0123456789ABCDEF" /></Relationships>`;
  const files: Zippable = {
    "_rels/.rels": strToU8(rels),
    ...(spec.omitNuspec ? {} : { [`${spec.id}.nuspec`]: strToU8(spec.nuspecXml ?? nuspecXml(spec)) }),
    [`lib/net8.0/${spec.id}.dll`]: strToU8(`MZ not really an assembly: ${spec.id} ${spec.version}`),
    "[Content_Types].xml": strToU8(contentTypes),
  };
  for (const [path, data] of Object.entries(spec.files ?? {})) files[path] = typeof data === "string" ? strToU8(data) : data;
  return zipSync(files, { level: 6, mtime: new Date("2024-01-01T00:00:00Z") });
}

/** The multipart body `nuget push` sends, and its Content-Type. */
export function nugetPushBody(nupkg: Uint8Array, boundary = "---------------------------8dc0123456789ab"): { body: Buffer; contentType: string } {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(nupkg), Buffer.from(`\r\n--${boundary}--\r\n`, "latin1")]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
