import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { strToU8, zipSync } from "fflate";
import { FormatError, compareNuGetVersions, isValidNuGetId, isValidNuGetRange, multipartFirstFile, normalizeNuGetVersion, readNupkg } from "./nuget.ts";
import { buildNupkg, nugetPushBody, nuspecXml } from "./nuget.fixtures.ts";
import { formatError, truncatedAndEdited } from "./testing.ts";

const nuspecWith = (metadata: string, root = `<package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">`) =>
  `<?xml version="1.0"?>${root}<metadata>${metadata}</metadata></package>`;
const pkgWith = (nuspec: string) => buildNupkg({ id: "Any", version: "1.0.0", nuspecXml: nuspec });

/** Overwrites the central-directory uncompressed size of the entry called `name`. */
function patchDeclaredSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let p = 0; p + 46 < out.length; p++) {
    if (view.getUint32(p, true) !== 0x02014b50) continue;
    const len = view.getUint16(p + 28, true);
    if (Buffer.from(out.subarray(p + 46, p + 46 + len)).toString() === name) view.setUint32(p + 24, size, true);
  }
  return out;
}

describe("readNupkg", () => {
  it("reads the fixture package", () => {
    const pkg = readNupkg(
      buildNupkg({
        id: "Contoso.Utils",
        version: "01.2.3.0-Beta.1+sha.abc",
        title: "Contoso <Utils> & more",
        tags: "a b",
        authors: "Ann, Bob",
        dependencies: [
          { id: "Newtonsoft.Json", range: "[13.0.1, 14.0.0)", targetFramework: "net8.0" },
          { id: "Serilog", targetFramework: "net8.0" },
          { id: "Legacy.Lib", range: "1.0" },
        ],
      }),
    );
    expect(pkg).toMatchObject({
      id: "Contoso.Utils",
      version: "01.2.3.0-Beta.1+sha.abc",
      normalizedVersion: "1.2.3-beta.1",
      title: "Contoso <Utils> & more",
      authors: "Ann, Bob",
      tags: "a b",
      description: "The Contoso.Utils package.",
      dependencies: [
        { id: "Newtonsoft.Json", range: "[13.0.1, 14.0.0)", targetFramework: "net8.0" },
        { id: "Serilog", range: "", targetFramework: "net8.0" },
        { id: "Legacy.Lib", range: "1.0" },
      ],
    });
    expect(pkg.nuspec).toContain("<id>Contoso.Utils</id>");
  });

  it("handles plain and prefixed namespaces, CDATA, entities, comments, BOMs and flat dependencies", () => {
    const xml =
      `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- made by hand -->\n` +
      `<ns:package xmlns:ns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><ns:metadata minClientVersion="2.8">` +
      `<ns:id> My_Pkg-2 </ns:id><ns:version>2.0</ns:version><ns:description><![CDATA[Uses <b>tags</b> & such]]> &#169;&#x263A;</ns:description>` +
      `<ns:dependencies><ns:dependency id="A" version="(, 2.0]"/><ns:dependency id='B'/></ns:dependencies></ns:metadata></ns:package>`;
    const pkg = readNupkg(buildNupkg({ id: "x", version: "1", nuspecXml: xml }));
    expect(pkg).toMatchObject({ id: "My_Pkg-2", version: "2.0", normalizedVersion: "2.0.0", description: "Uses <b>tags</b> & such ©☺" });
    expect(pkg.dependencies).toEqual([
      { id: "A", range: "(, 2.0]" },
      { id: "B", range: "" },
    ]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(nuspecXml({ id: "Wide", version: "1.0.0" }), "utf16le")]);
    expect(readNupkg(zipSync({ "Wide.nuspec": utf16 })).id).toBe("Wide");
  });

  it("finds the .nuspec case-insensitively and ignores ones in folders", () => {
    const nuspec = strToU8(nuspecXml({ id: "Abc", version: "1.0.0" }));
    expect(readNupkg(zipSync({ "ABC.NUSPEC": nuspec, "content/other.nuspec": nuspec })).id).toBe("Abc");
  });

  it("reads packages with a ZIP64 end record and stored entries", () => {
    const nuspec = strToU8(nuspecXml({ id: "Stored", version: "1.0.0" }));
    expect(readNupkg(zipSync({ "Stored.nuspec": [nuspec, { level: 0 }] })).id).toBe("Stored");
    expect(readNupkg(toZip64(zipSync({ "Stored.nuspec": nuspec }))).id).toBe("Stored");
  });

  it.each([
    [new Uint8Array(0), "The package is not a valid zip file."],
    [strToU8("hello"), "The package is not a valid zip file."],
    [zipSync({ "readme.txt": strToU8("hi") }), "The package does not contain a .nuspec manifest."],
    [buildNupkg({ id: "A", version: "1.0.0", omitNuspec: true }), "The package does not contain a .nuspec manifest."],
    [zipSync({ "a.nuspec": strToU8("<package/>"), "b.nuspec": strToU8("<package/>") }), "The package contains more than one .nuspec manifest at its root."],
    [pkgWith(`<?xml version="1.0"?><metadata><id>A</id></metadata>`), "The .nuspec's root element must be <package>."],
    [pkgWith(`<package><files/></package>`), "The .nuspec is missing <metadata>."],
    [pkgWith(nuspecWith("<version>1.0.0</version>")), "The .nuspec is missing <id>."],
    [pkgWith(nuspecWith("<id>  </id><version>1.0.0</version>")), "The .nuspec is missing <id>."],
    [pkgWith(nuspecWith("<id>A</id>")), "The .nuspec is missing <version>."],
    [pkgWith(nuspecWith("<id>A</id><version>1.0.x</version>")), '"1.0.x" is not a valid NuGet version.'],
    [pkgWith(nuspecWith("<id>A</id><version>1.2.3.4.5</version>")), '"1.2.3.4.5" is not a valid NuGet version.'],
    [pkgWith(nuspecWith("<id>A</id><version>2147483648.0</version>")), '"2147483648.0" is not a valid NuGet version.'],
    [pkgWith(nuspecWith("<id>.A</id><version>1.0</version>")), '".A" is not a valid NuGet package id'],
    [
      pkgWith(nuspecWith("<id>A</id><version>1.0</version><dependencies><dependency version='1.0'/></dependencies>")),
      'The .nuspec has a <dependency> with a missing or invalid id "".',
    ],
    [
      pkgWith(nuspecWith("<id>A</id><version>1.0</version><dependencies><dependency id='B' version='[1.0'/></dependencies>")),
      'The dependency "B" has an invalid version range "[1.0".',
    ],
    [
      pkgWith(`<!DOCTYPE package [<!ENTITY x SYSTEM "file:///etc/passwd">]><package><metadata><id>&x;</id></metadata></package>`),
      "The .nuspec contains a DTD (<!DOCTYPE …>), which is not allowed.",
    ],
    [pkgWith(nuspecWith("<id>A&foo;</id><version>1.0</version>")), "The .nuspec uses the unknown or invalid XML entity &foo;."],
    [pkgWith(nuspecWith("<id>A & B</id><version>1.0</version>")), 'The .nuspec has a stray "&"; write it as &amp;.'],
    [pkgWith(nuspecWith("<id>A</id><version>1.0</version>").replace("</package>", "")), "The .nuspec is not well-formed XML: <package> is never closed."],
    [pkgWith(nuspecWith("<id>A</version>")), "The .nuspec is not well-formed XML: unexpected </version>."],
    [pkgWith(`${nuspecWith("<id>A</id>")}<package/>`), "The .nuspec is not well-formed XML: more than one root element."],
    [pkgWith(""), "The .nuspec is not well-formed XML: there is no root element."],
    [zipSync({ "A.nuspec": new Uint8Array([0x3c, 0xc3, 0x28]) }), "The .nuspec is not valid UTF-8 text."],
  ])("rejects bad package %#", (bytes, message) => {
    expect(formatError(() => readNupkg(bytes))).toContain(message);
  });

  it("enforces the manifest size limit from the declared size", () => {
    const huge = nuspecXml({ id: "Big", version: "1.0.0", description: "x".repeat(1024 * 1024) });
    expect(formatError(() => readNupkg(buildNupkg({ id: "Big", version: "1.0.0", nuspecXml: huge })))).toMatch(
      /^"Big.nuspec" is too large: \d+ bytes uncompressed, more than the 1 MiB allowed.$/,
    );
  });

  it("stops a zip bomb that lies about its size", () => {
    const bomb = nuspecXml({ id: "Bomb", version: "1.0.0", description: "x".repeat(8 * 1024 * 1024) });
    const zip = zipSync({ "Bomb.nuspec": strToU8(bomb) }, { level: 9 });
    expect(zip.length).toBeLessThan(50 * 1024);
    expect(formatError(() => readNupkg(patchDeclaredSize(zip, "Bomb.nuspec", 1000)))).toBe('"Bomb.nuspec" is larger than its zip entry declares.');
    const small = buildNupkg({ id: "S", version: "1.0.0" });
    expect(formatError(() => readNupkg(patchDeclaredSize(small, "S.nuspec", 100_000)))).toBe('"S.nuspec" does not match the size its zip entry declares.');
  });

  it("limits the number of zip entries", () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i <= 10_000; i++) files[`f/${i}`] = new Uint8Array(0);
    expect(formatError(() => readNupkg(zipSync(files, { level: 0 })))).toBe("The package has 10001 files; at most 10000 are allowed.");
  });

  it("detects a damaged manifest by its CRC", () => {
    const zip = zipSync({ "C.nuspec": [strToU8(nuspecXml({ id: "C", version: "1.0.0" })), { level: 0 }] });
    const i = Buffer.from(zip).indexOf("<id>C</id>") + 4;
    zip[i] = "D".charCodeAt(0);
    expect(formatError(() => readNupkg(zip))).toBe('"C.nuspec" is damaged (its checksum does not match).');
  });

  it("only ever throws FormatError for random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        expectOnlyFormatErrors(() => readNupkg(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("only ever throws FormatError for truncated or mutated packages", () => {
    const valid = buildNupkg({ id: "Fuzz.Me", version: "1.0.0-rc.1", dependencies: [{ id: "X", range: "[1.0, 2.0)", targetFramework: "net8.0" }] });
    const stored = zipSync({ "Fuzz.nuspec": [strToU8(nuspecXml({ id: "Fuzz", version: "1.0.0" })), { level: 0 }] });
    fc.assert(
      fc.property(
        fc.constantFrom(valid, stored),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (base, cut, edits) => {
          const bytes = truncatedAndEdited(base, cut, edits);
          expectOnlyFormatErrors(() => readNupkg(bytes));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("only ever throws FormatError for arbitrary nuspec text", () => {
    const pieces = fc.constantFrom(
      "<package>",
      "</package>",
      "<metadata>",
      "</metadata>",
      "<id>",
      "</id>",
      "<version>",
      "1.0",
      "</version>",
      "<![CDATA[",
      "]]>",
      "<!--",
      "-->",
      "&amp;",
      "&#x0;",
      "&",
      "<",
      ">",
      "'",
      '"',
      "<?x?>",
      "<a b='c'/>",
      "<dependencies>",
      "<dependency id='A' version='[1,2)'/>",
      "<group>",
      "</group>",
      "</dependencies>",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 5 })), { maxLength: 40 }), (parts) => {
        expectOnlyFormatErrors(() => readNupkg(zipSync({ "p.nuspec": strToU8(parts.join("")) })));
      }),
      { numRuns: 500 },
    );
  });
});

function expectOnlyFormatErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    expect(err.message.length).toBeGreaterThan(10);
  }
}

/** Rewrites a zip's end record as ZIP64 (saturated fields + locator + ZIP64 record). */
function toZip64(zip: Uint8Array): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  const rec = new DataView(new ArrayBuffer(56 + 20 + 22));
  rec.setUint32(0, 0x06064b50, true);
  rec.setBigUint64(4, 44n, true);
  rec.setBigUint64(24, BigInt(count), true);
  rec.setBigUint64(32, BigInt(count), true);
  rec.setBigUint64(40, BigInt(cdSize), true);
  rec.setBigUint64(48, BigInt(cdOffset), true);
  rec.setUint32(56, 0x07064b50, true);
  rec.setBigUint64(64, BigInt(eocd), true);
  rec.setUint32(72, 1, true);
  rec.setUint32(76, 0x06054b50, true);
  rec.setUint16(86, 0xffff, true);
  rec.setUint16(84, 0xffff, true);
  rec.setUint32(88, 0xffffffff, true);
  rec.setUint32(92, 0xffffffff, true);
  return Buffer.concat([zip.subarray(0, eocd), new Uint8Array(rec.buffer)]);
}

describe("NuGet versions and ids", () => {
  it.each([
    ["1.0", "1.0.0"],
    ["1", "1.0.0"],
    ["01.02.03", "1.2.3"],
    ["1.2.3.0", "1.2.3"],
    ["1.2.3.4", "1.2.3.4"],
    ["1.0.0-Beta.01", "1.0.0-beta.01"],
    ["1.0.0+Build.5", "1.0.0"],
    ["1.0.0-RC+x", "1.0.0-rc"],
  ])("normalizes %s to %s", (v, n) => {
    expect(normalizeNuGetVersion(v)).toBe(n);
  });

  it.each(["", "v1.0", "1.0.x", "1..0", "1.0-", "1.0+", "1.0.0-a..b", "1.0.0-é", "-1.0"])("rejects the version %j", (v) => {
    expect(formatError(() => normalizeNuGetVersion(v))).toBe(`"${v}" is not a valid NuGet version.`);
  });

  it("orders versions like NuGet", () => {
    const sorted = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-ALPHA.2",
      "1.0.0-alpha.10",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.0.1",
      "1.0.1",
      "1.1",
      "2.0.0-0",
      "2.0.0",
      "10.0.0",
    ];
    const shuffled = [...sorted].reverse();
    expect(shuffled.sort(compareNuGetVersions)).toEqual(sorted);
    expect(compareNuGetVersions("1.0.0-Beta", "1.0.0-beta")).toBe(0);
    expect(compareNuGetVersions("1.0+a", "1.0.0.0+b")).toBe(0);
    expect(compareNuGetVersions("1.0.0-01", "1.0.0-1")).toBe(0);
  });

  it("keeps compareNuGetVersions antisymmetric and consistent with normalization", () => {
    const part = fc.integer({ min: 0, max: 20 });
    const label = fc.constantFrom("alpha", "Beta", "rc", "1", "02", "10", "x-y");
    const version = fc
      .tuple(part, part, fc.option(part), fc.option(part), fc.array(label, { maxLength: 3 }))
      .map(([a, b, c, d, rel]) => `${a}.${b}${c === null ? "" : `.${c}`}${c !== null && d !== null ? `.${d}` : ""}${rel.length ? `-${rel.join(".")}` : ""}`);
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(compareNuGetVersions(a, b)).toBe(-compareNuGetVersions(b, a));
        if (normalizeNuGetVersion(a) === normalizeNuGetVersion(b)) expect(compareNuGetVersions(a, b)).toBe(0);
      }),
    );
  });

  it("validates ids like NuGet", () => {
    for (const ok of ["A", "Newtonsoft.Json", "my_pkg-2", "a".repeat(100)]) expect(isValidNuGetId(ok)).toBe(true);
    for (const bad of ["", ".A", "A.", "A..B", "-A", "A B", "A/B", "Ä", "a".repeat(101)]) expect(isValidNuGetId(bad)).toBe(false);
  });

  it("validates ranges", () => {
    for (const ok of ["1.0", "[1.0]", "[1.0, 2.0)", "(1.0,)", "(, 2.0]", "[1.0.0-beta,2]"]) expect(isValidNuGetRange(ok)).toBe(true);
    for (const bad of ["[1.0", "(1.0)", "[,]", "1.0,2.0", "[a,b]", "*"]) expect(isValidNuGetRange(bad)).toBe(false);
  });
});

describe("multipartFirstFile", () => {
  const nupkg = buildNupkg({ id: "Up", version: "1.0.0" });

  it("extracts the package from what nuget push sends", () => {
    const { body, contentType } = nugetPushBody(nupkg);
    expect(Buffer.compare(multipartFirstFile(body, contentType), Buffer.from(nupkg))).toBe(0);
    expect(readNupkg(multipartFirstFile(body, contentType)).id).toBe("Up");
  });

  it("accepts quoted boundaries, a preamble and a field before the file", () => {
    const b = "abc def";
    const body = Buffer.concat([
      Buffer.from(
        `preamble\r\n--${b}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${b}  \r\nContent-Disposition: form-data; name="package"; filename="x.nupkg"\r\n\r\n`,
      ),
      Buffer.from(nupkg),
      Buffer.from(`\r\n--${b}--`),
    ]);
    expect(multipartFirstFile(body, `multipart/form-data; boundary="${b}"; charset=utf-8`).length).toBe(nupkg.length);
  });

  it("falls back to the first part when no part names a file", () => {
    const body = Buffer.from(`--b\r\nContent-Disposition: form-data; name="package"\r\n\r\nPK\x03\x04data\r\n--b--\r\n`, "latin1");
    expect(multipartFirstFile(body, "multipart/form-data; boundary=b").toString("latin1")).toBe("PK\x03\x04data");
  });

  it("passes a raw zip through", () => {
    expect(multipartFirstFile(Buffer.from(nupkg), "application/octet-stream").length).toBe(nupkg.length);
  });

  it.each([
    [Buffer.from("{}"), "application/json", "Upload the .nupkg as multipart/form-data (as nuget push does) or as the raw package bytes."],
    [Buffer.from("--b\r\n\r\nx"), "multipart/form-data", "The multipart upload has no boundary in its Content-Type header."],
    [Buffer.from("nothing here"), "multipart/form-data; boundary=b", "The multipart upload does not contain the boundary its Content-Type announces."],
    [
      Buffer.from("--b\r\nContent-Disposition: form-data; filename=x\r\n\r\nPK"),
      "multipart/form-data; boundary=b",
      "The multipart upload is truncated (its closing boundary is missing).",
    ],
    [Buffer.from("--bX"), "multipart/form-data; boundary=b", "The multipart upload is malformed (a boundary line does not end with CRLF)."],
    [Buffer.from("--b\r\nContent-Disposition: x"), "multipart/form-data; boundary=b", "The multipart upload is malformed (a part's headers never end)."],
    [Buffer.from("--b--\r\n"), "multipart/form-data; boundary=b", "The multipart upload contains no file."],
  ])("rejects a bad upload %#", (body, contentType, message) => {
    expect(formatError(() => multipartFirstFile(body, contentType))).toBe(message);
  });

  it("only ever throws FormatError", () => {
    const { body } = nugetPushBody(nupkg, "bnd");
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.string({ maxLength: 60 }),
        (cut, edits, ct) => {
          const bytes = Buffer.from(body.subarray(0, body.length - (cut % body.length)));
          for (const [at, v] of edits) if (bytes.length) bytes[at % bytes.length] = v;
          expectOnlyFormatErrors(() => multipartFirstFile(bytes, "multipart/form-data; boundary=bnd"));
          expectOnlyFormatErrors(() => multipartFirstFile(bytes, ct));
        },
      ),
      { numRuns: 500 },
    );
  });
});
