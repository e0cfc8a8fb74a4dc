// The .nuspec fields kept with each version (PackageVersion.metadata), which the
// registration and search documents are built from without opening the package.
import type { NuGetDependency, Nupkg } from "../formats/nuget.ts";

export type NuspecFields = {
  id: string;
  version: string;
  description?: string;
  authors?: string;
  title?: string;
  tags?: string;
  dependencies: NuGetDependency[];
};

export function nuspecFields(pkg: Nupkg): NuspecFields {
  const { nuspec: _nuspec, normalizedVersion: _normalized, ...fields } = pkg;
  return fields;
}

/** Tolerates rows written by other code paths (e.g. the Native API) with partial metadata. */
export function readNuspecFields(json: string, fallback: { id: string; version: string }): NuspecFields {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
  } catch {
    // an unreadable row still gets the id and version it is stored under
  }
  const str = (k: string) => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
  const deps = Array.isArray(raw.dependencies) ? (raw.dependencies as NuGetDependency[]).filter((d) => d && typeof d.id === "string") : [];
  const fields: NuspecFields = { id: str("id") ?? fallback.id, version: str("version") ?? fallback.version, dependencies: deps };
  for (const k of ["description", "authors", "title", "tags"] as const) {
    const v = str(k);
    if (v !== undefined) fields[k] = v;
  }
  return fields;
}

/** The registration's dependencyGroups: one group per target framework, as nuget.org lists them. */
export function dependencyGroups(deps: NuGetDependency[]) {
  const groups = new Map<string, { targetFramework?: string; dependencies: { id: string; range: string }[] }>();
  for (const d of deps) {
    const key = d.targetFramework ?? "";
    let group = groups.get(key);
    if (!group) {
      group = d.targetFramework ? { targetFramework: d.targetFramework, dependencies: [] } : { dependencies: [] };
      groups.set(key, group);
    }
    group.dependencies.push({ id: d.id, range: d.range || "(, )" });
  }
  return [...groups.values()];
}

export function tagList(tags: string | undefined): string[] {
  return (tags ?? "").split(/[\s,;]+/).filter(Boolean);
}
