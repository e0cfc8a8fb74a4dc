import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SCHEMA } from "./package-entry.ts";
import { evaluate, sortRows } from "./evaluate.ts";
import { ODataError, parseBoolParam, parseCount, parseEntityKey, parseFilter, parseOrderBy, parseSelect, parseStringParam, type Value } from "./parse.ts";

const row =
  (values: Record<string, Value>) =>
  (name: string): Value =>
    values[name] ?? null;
const pkg = {
  Id: "Contoso.Core",
  Version: "1.0.0",
  IsLatestVersion: true,
  IsAbsoluteLatestVersion: false,
  IsPrerelease: false,
  Description: "The heart of it",
  Tags: " web core ",
};
const holds = (filter: string, values: Record<string, Value> = pkg) => evaluate(parseFilter(filter, SCHEMA), row(values));

describe("$filter as NuGet 2.x, Chocolatey and PowerShellGet send it", () => {
  it.each([
    ["IsLatestVersion", true],
    ["IsAbsoluteLatestVersion", false],
    ["tolower(Id) eq 'contoso.core'", true],
    ["Id eq 'Contoso.Core'", true],
    ["Id eq 'contoso.core'", false],
    ["(tolower(Id) eq 'contoso.core') and IsLatestVersion", true],
    ["IsLatestVersion or IsAbsoluteLatestVersion", true],
    ["not IsPrerelease", true],
    ["IsPrerelease eq false", true],
    ["substringof('heart',Description)", true],
    ["substringof('web',tolower(Tags)) or substringof('x',Id)", true],
    ["indexof(tolower(Id),'core') ne -1", true],
    ["indexof(tolower(Id),'nope') ne -1", false],
    ["startswith(Id,'Contoso') and endswith(Id,'Core')", true],
    ["((((Id ne null) and substringof('core',tolower(Id))) or (Description ne null and substringof('core',tolower(Description)))) and IsLatestVersion)", true],
    ["Id eq 'It''s'", false],
    ["length(Id) gt 5", true],
  ])("%s → %s", (filter, expected) => {
    expect(holds(filter)).toBe(expected);
  });

  it("reads a quote doubled inside a string as one quote", () => {
    expect(holds("Id eq 'It''s'", { Id: "It's" })).toBe(true);
  });

  it.each([
    ["frobnicate(Id)", 'unknown function "frobnicate"'],
    ["Nonsense eq 1", 'unknown property "Nonsense"'],
    ["id eq 'x'", 'unknown property "id"'],
    ["Id eq", "ends where a value was expected"],
    ["Id eq 'open", "never ends"],
    ["(IsLatestVersion", 'expected ")"'],
    ["IsLatestVersion)", 'unexpected ")"'],
    ["Id", "must be a condition"],
    ["Id eq 1", "compares a string with a number"],
    ["IsLatestVersion and Id", "and needs a boolean"],
    ["tolower(Id, Id) eq 'x'", "takes 1 argument"],
    ["Id eq @x", 'unexpected "@"'],
    ["", "is empty"],
  ])("refuses %j, naming the problem", (filter, message) => {
    expect(() => parseFilter(filter, SCHEMA)).toThrow(ODataError);
    expect(() => parseFilter(filter, SCHEMA)).toThrow(message);
  });

  it("refuses nesting deep enough to exhaust the stack, as an ODataError", () => {
    expect(() => parseFilter(`${"(".repeat(5000)}IsLatestVersion${")".repeat(5000)}`, SCHEMA)).toThrow(ODataError);
    expect(() => parseFilter(`${"not ".repeat(900)}IsLatestVersion`, SCHEMA)).toThrow("nested more than 40 deep");
    expect(() => parseFilter("x".repeat(4001), SCHEMA)).toThrow("longer than 4000 characters");
  });

  it("never throws anything but an ODataError, whatever the text (property)", () => {
    const alphabet = fc.constantFrom(..."()', eqandornot IdVersiontolowersubstringof 1 -_.x@".split(""));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: alphabet, maxLength: 80 })), (text) => {
        try {
          const e = parseFilter(text, SCHEMA);
          const v = evaluate(e, row(pkg));
          expect(typeof v === "boolean" || v === null).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ODataError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("matches tolower(Id) eq 'x' exactly when the ids are equal ignoring case (property)", () => {
    const id = fc.stringMatching(/^[A-Za-z0-9._']{1,20}$/);
    fc.assert(
      fc.property(id, id, (a, b) => {
        const literal = b.toLowerCase().replace(/'/g, "''");
        expect(holds(`tolower(Id) eq '${literal}'`, { Id: a })).toBe(a.toLowerCase() === b.toLowerCase());
      }),
    );
  });
});

describe("$orderby, $select, $skip/$top and function parameters", () => {
  it("orders by several keys, desc where asked, with a collation for versions", () => {
    const rows = [
      { Id: "B", Version: "1.9.0" },
      { Id: "A", Version: "1.10.0" },
      { Id: "A", Version: "1.9.0" },
    ];
    const byVersion = (name: string) => (name === "Version" ? (a: string, b: string) => Number(a.split(".")[1]) - Number(b.split(".")[1]) : undefined);
    const sorted = sortRows(rows, parseOrderBy("Id,Version desc", SCHEMA), (r) => row(r), byVersion);
    expect(sorted).toEqual([rows[1], rows[2], rows[0]]);
    expect(sortRows(rows, parseOrderBy("concat(Id,Version) asc", SCHEMA), (r) => row(r)).map((r) => r.Id + r.Version)).toEqual(["A1.10.0", "A1.9.0", "B1.9.0"]);
    expect(() => parseOrderBy("Downloads desc", SCHEMA)).toThrow('unknown property "Downloads"');
  });

  it("selects known properties only", () => {
    expect(parseSelect("Id, Version", SCHEMA)).toEqual(["Id", "Version"]);
    expect(parseSelect("*", SCHEMA)).toBeNull();
    expect(() => parseSelect("Id,Secret", SCHEMA)).toThrow('unknown property "Secret"');
  });

  it.each([
    ["-1", "whole number"],
    ["1e3", "whole number"],
    ["abc", "whole number"],
    ["999999999999999999999", "whole number"],
    ["10001", "at most 10000"],
  ])("refuses $top=%s", (raw, message) => {
    expect(() => parseCount("$top", raw, 10_000)).toThrow(message);
  });

  it("reads quoted and boolean parameters, and the Packages(Id=,Version=) key in either order", () => {
    expect(parseStringParam("id", "'Contoso.Core'")).toBe("Contoso.Core");
    expect(parseStringParam("searchTerm", "''")).toBe("");
    expect(parseStringParam("searchTerm", undefined)).toBe("");
    expect(() => parseStringParam("id", "Contoso.Core")).toThrow("must be a 'quoted' string");
    expect(parseBoolParam("includePrerelease", "TRUE")).toBe(true);
    expect(() => parseBoolParam("includePrerelease", "yes")).toThrow("must be true or false");
    expect(parseEntityKey("Id='A',Version='1.0.0'")).toEqual({ id: "A", version: "1.0.0" });
    expect(parseEntityKey("Version='1.0.0', Id='It''s'")).toEqual({ id: "It's", version: "1.0.0" });
    expect(() => parseEntityKey("Id='A'")).toThrow(ODataError);
    expect(() => parseEntityKey("Id='A',Id='B'")).toThrow(ODataError);
  });
});
