import { describe, expect, it } from "vitest";
import { edmDate, entityPath, entry, xml } from "./atom.ts";
import { packageEntries } from "./package-entry.ts";

const row = {
  packageName: "Contoso.Core",
  version: "1.0.0",
  versionLower: "1.0.0",
  listed: true,
  fileSize: 10,
  sha512: "abc",
  createdAt: new Date("2026-01-02T03:04:05.678Z"),
};
const ctx = { root: "http://h/nuget/main/api/v2/", downloadUrl: () => "http://h/d?a=1&b=2", select: null, updated: "2026-01-01T00:00:00.000Z" };

describe("Atom entries", () => {
  it("escapes markup and replaces characters XML cannot hold, so a pushed .nuspec cannot break the feed", () => {
    const [p] = packageEntries([{ ...row, metadata: JSON.stringify({ description: 'a <script>"x"</script> & \u0001\uffff b' }) }], { semVer2: false });
    const text = entry(p!, ctx);
    expect(text).toContain("<d:Description>a &lt;script&gt;&quot;x&quot;&lt;/script&gt; &amp; \ufffd\ufffd b</d:Description>");
    expect(text).toContain('src="http://h/d?a=1&amp;b=2"');
    expect(xml("\ud800")).toBe("\ufffd");
  });

  it("writes dates as WCF does, nulls as m:null, and the key with quotes doubled", () => {
    const [p] = packageEntries([{ ...row, metadata: "{}" }], { semVer2: false });
    const text = entry(p!, ctx);
    expect(text).toContain('<d:Published m:type="Edm.DateTime">2026-01-02T03:04:05.678</d:Published>');
    expect(text).toContain('<d:LastEdited m:type="Edm.DateTime" m:null="true"/>');
    expect(edmDate(new Date(Date.UTC(1900, 0, 1)))).toBe("1900-01-01T00:00:00");
    expect(entityPath({ Id: "It's", Version: "1.0.0" })).toBe("Packages(Id='It''s',Version='1.0.0')");
  });

  it("marks the latest stable and the latest of all among listed versions only", () => {
    const versions = [
      ["1.0.0", true],
      ["1.1.0", true],
      ["1.2.0", false],
      ["2.0.0-beta", true],
      ["3.0.0-rc", false],
    ] as const;
    const es = packageEntries(
      versions.map(([v, listed]) => ({ ...row, version: v, versionLower: v, listed, metadata: "{}" })),
      { semVer2: false },
    );
    expect(es.map((e) => [e.Version, e.IsLatestVersion, e.IsAbsoluteLatestVersion])).toEqual([
      ["1.0.0", false, false],
      ["1.1.0", true, false],
      ["1.2.0", false, false],
      ["2.0.0-beta", false, true],
      ["3.0.0-rc", false, false],
    ]);
  });
});
