// Gem::Version ordering, for the "latest" legacy index: segments are runs of digits or
// letters, a letter segment marks a prerelease and sorts before any number, and missing
// segments count as zero ("1.0" equals "1.0.0").
type Segment = number | string;

function segments(version: string): Segment[] {
  return (version.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function isPrerelease(version: string): boolean {
  return /[a-z]/i.test(version);
}

export function compareGemVersions(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? 0;
    const q = y[i] ?? 0;
    if (p === q) continue;
    if (typeof p === "number" && typeof q === "number") return p - q;
    if (typeof p === "string" && typeof q === "string") return p < q ? -1 : 1;
    return typeof p === "string" ? -1 : 1;
  }
  return 0;
}
