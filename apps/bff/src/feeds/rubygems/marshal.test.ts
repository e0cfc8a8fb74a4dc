import { describe, expect, it } from "vitest";
import { compareGemVersions, isPrerelease } from "./gem-version.ts";
import { marshalDump, sym } from "./marshal.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("marshalDump", () => {
  // Expected bytes are Ruby 3.1's own Marshal.dump of the same values.
  it("writes integers, strings, nil, booleans, hashes and symbols as Ruby does", () => {
    const value = [
      "a",
      0,
      1,
      122,
      123,
      255,
      256,
      65536,
      -1,
      -123,
      -124,
      -256,
      -257,
      2 ** 30 - 1,
      -(2 ** 30),
      null,
      true,
      false,
      { kind: "hash" as const, entries: [["k", "v"]] as [string, string][] },
      sym("sym"),
      "héllo",
    ];
    expect(hex(marshalDump(value))).toBe(
      "04085b1a49220661063a06455469006906697f69017b6901ff69020001690300000169fa698069ff8469ff0069fefffe6904ffffff3f69fc000000c03054467b064922066b063b005449220676063b00543a0873796d49220b68c3a96c6c6f063b0054",
    );
  });

  it("writes plain objects and marshal_dump objects as Ruby does", () => {
    const value = [
      { kind: "object" as const, className: "Foo", ivars: [["@a", 1]] as [string, number][] },
      { kind: "userMarshal" as const, className: "Gem::Version", data: ["1.0"] },
    ];
    expect(hex(marshalDump(value))).toBe("04085b076f3a08466f6f063a0740616906553a1147656d3a3a56657273696f6e5b06492208312e30063a064554");
  });

  it("refuses integers Marshal would write as bignums", () => {
    expect(() => marshalDump(2 ** 31)).toThrow(RangeError);
  });
});

describe("compareGemVersions", () => {
  it.each([
    ["1.0", "1.0.0", 0],
    ["1.10", "1.9", 1],
    ["2.0.0.pre", "2.0.0", -1],
    ["2.0.0.rc1", "2.0.0.beta2", 1],
    ["1.0.0", "0.9.9", 1],
  ])("%s vs %s", (a, b, sign) => {
    expect(Math.sign(compareGemVersions(a, b))).toBe(sign);
  });

  it("knows prereleases by their letters", () => {
    expect(isPrerelease("1.0.0.pre")).toBe(true);
    expect(isPrerelease("1.0.0")).toBe(false);
  });
});
