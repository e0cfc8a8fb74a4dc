// Argument parsing (args.ts): examples, then properties over hostile input. Whatever
// comes in, the answer is the parsed arguments or a 400 AppError, and no prototype is
// ever touched.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { arg, checkShape, gatherArguments, MAX_BODY_DEPTH, parseArguments } from "./args.ts";
import { NATIVE_METHODS } from "./native/registry.ts";

const schema = z.object({
  Id: arg.integer({ description: "id", required: true }),
  Count: arg.integer({ description: "count", max: 100 }),
  Name: arg.text({ description: "name", max: 10 }),
  Secret: arg.text({ description: "secret", trim: false, min: 3 }),
  Flag: arg.boolean({ description: "flag" }),
  Kind: arg.choice(["a", "b"], { description: "kind" }),
  Tags: arg.list({ description: "tags" }),
  When: arg.date({ description: "when" }),
});

function outcome(f: () => unknown): string {
  try {
    return JSON.stringify(f());
  } catch (e) {
    if (e instanceof AppError) return `${e.status}: ${e.message}`;
    throw e;
  }
}

describe("parseArguments", () => {
  it("coerces text to the declared kinds", () => {
    const a = parseArguments(schema, { Id: "5", Count: " 7 ", Flag: "TRUE", Tags: "x, y,,z", When: "2030-01-02", Kind: "b", Secret: " pw " }, undefined);
    expect(a).toEqual({ Id: 5, Count: 7, Name: undefined, Secret: " pw ", Flag: true, Kind: "b", Tags: ["x", "y", "z"], When: "2030-01-02" });
  });

  it("takes JSON values as they are, and the body over the query string", () => {
    const a = parseArguments(schema, { Id: "1", Name: "query" }, { Id: 2, Flag: false, Tags: ["t"], Name: null });
    expect(a).toMatchObject({ Id: 2, Flag: false, Tags: ["t"], Name: null });
  });

  it("matches names case-insensitively and ignores the key presentation fields", () => {
    expect(parseArguments(schema, { id: "3", KEY: "k", api_key: "k" }, { API_Key: "k", key: "k" })).toMatchObject({ Id: 3 });
  });

  it.each([
    [{}, undefined, '400: Argument "Id" is required.'],
    [{ Id: "x" }, undefined, '400: Argument "Id" must be a whole number.'],
    [{ Id: "1e3" }, undefined, '400: Argument "Id" must be a whole number.'],
    [{ Id: "99999999999999999999" }, undefined, '400: Argument "Id" must be a whole number.'],
    [{ Id: ["1", "2"] }, undefined, '400: Argument "Id" must be a single value, not a list.'],
    [{ Id: "1", Count: "101" }, undefined, '400: Argument "Count" must be at most 100.'],
    [{ Id: "1", Flag: "perhaps" }, undefined, '400: Argument "Flag" must be true or false.'],
    [{ Id: "1", Kind: "c" }, undefined, '400: Argument "Kind" must be one of "a", "b".'],
    [{ Id: "1", Name: "x".repeat(11) }, undefined, '400: Argument "Name" must be at most 10 characters.'],
    [{ Id: "1", Name: "a\u0000b" }, undefined, '400: Argument "Name" must not contain control characters.'],
    [{ Id: "1", Secret: "ab" }, undefined, '400: Argument "Secret" must be at least 3 characters.'],
    [{ Id: "1", When: "soon" }, undefined, '400: Argument "When" must be a date, e.g. 2027-12-31 or 2027-12-31T12:00:00Z.'],
    [{ Id: "1", Other: "x" }, undefined, '400: Test has no argument "Other". Its arguments are: Id, Count, Name, Secret, Flag, Kind, Tags, When.'],
    [{ Id: "1" }, { Tags: [1, 2] }, '400: Argument "Tags" must be a list of text values (a JSON array, or text separated by commas).'],
    [{ Id: "1" }, { Name: { toString: "x" } }, '400: Argument "Name" must be text.'],
    [{ Id: "1" }, [1], "400: The request body must be a JSON object whose properties are the method's arguments."],
    [{ Id: "1" }, { Id: 1, id: 2 }, '400: Argument "id" is given twice in the body.'],
    [{ Id: "1" }, { Name: "x".repeat(20_000) }, '400: Argument "Name" is too long: at most 10000 characters.'],
  ])("refuses %j with body %j", (query, body, expected) => {
    expect(outcome(() => parseArguments(schema, query, body, "Test"))).toBe(expected);
  });

  it(`refuses bodies nested deeper than ${MAX_BODY_DEPTH} levels, without walking them all`, () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(outcome(() => parseArguments(schema, { Id: "1" }, { Name: deep }))).toBe(
      `400: The request body is nested too deeply: at most ${MAX_BODY_DEPTH} levels are accepted.`,
    );
    expect(() => checkShape({ a: { b: { c: 1 } } })).not.toThrow();
  });

  it("keeps __proto__, constructor and prototype as plain names", () => {
    const body = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}');
    const given = gatherArguments(Object.assign(Object.create(null), { prototype: "x" }), body);
    expect([...given.keys()].sort()).toEqual(["__proto__", "constructor", "prototype"]);
    expect(outcome(() => parseArguments(schema, { Id: "1" }, body, "Test"))).toMatch(/^400: Test has no argument "__proto__"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("declares every Native method's arguments with the arg helpers", () => {
    for (const m of NATIVE_METHODS) expect(() => parseArguments(m.args, {}, {}, m.name)).not.toThrow(/arg\.\* helpers/);
  });
});

// ---- properties -------------------------------------------------------------------------

const NASTY_NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "Id",
  "ID",
  "id",
  "key",
  "API_Key",
  "Tags",
  "Name",
  "When",
  "Flag",
];
const name = fc.oneof(fc.constantFrom(...NASTY_NAMES), fc.string({ maxLength: 20 }));
const scalar = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("5", "-1", "0", "2147483648", "1e400", "true", "false", "", " ", "null", "\u0000", "2030-01-01", "NaN"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ minLength: 10_000, maxLength: 12_000 }).map((s) => s.slice(0, 11_000)),
);
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("value"), { maxLength: 4 }), tie("object")),
  object: fc.array(fc.tuple(name, tie("value")), { maxLength: 5 }).map((entries) => entries),
})).value;

/** A JSON text whose objects have the given keys as own properties, "__proto__" included. */
function toJsonText(v: unknown): string {
  if (Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "string")) {
    return `{${(v as [string, unknown][]).map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`).join(",")}}`;
  }
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(",")}]`;
  return JSON.stringify(v) ?? "null";
}

const deepValue = fc.integer({ min: 1, max: 60 }).map((depth) => {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { Name: v };
  return v;
});

const query = fc.dictionary(name, fc.oneof(fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })), { maxKeys: 6 }).map((d) => {
  // As node:querystring makes them: a null-prototype object of own properties.
  const q = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(d)) Object.defineProperty(q, k, { value: d[k], enumerable: true });
  return q;
});

function assertSafe(f: () => unknown) {
  try {
    const out = f() as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    for (const k of Object.keys(out)) expect(Object.keys(schema.shape)).toContain(k);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(400);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.toString.call({})).toBe("[object Object]");
  expect({}.constructor).toBe(Object);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

describe("parseArguments with hostile input (properties)", () => {
  it("answers the arguments or a 400 for any JSON body and query string", () => {
    fc.assert(
      fc.property(query, jsonish, (q, body) => {
        const parsed: unknown = JSON.parse(toJsonText(body));
        assertSafe(() => parseArguments(schema, q, parsed));
      }),
      { numRuns: 500 },
    );
  });

  it("answers the arguments or a 400 for __proto__-laden and deeply nested bodies", () => {
    fc.assert(
      fc.property(fc.constantFrom("__proto__", "constructor", "prototype", "Name", "Tags"), deepValue, (k, v) => {
        const parsed: unknown = JSON.parse(`{"Id":1,${JSON.stringify(k)}:${JSON.stringify(v)},"__proto__":{"polluted":true}}`);
        assertSafe(() => parseArguments(schema, {}, parsed));
      }),
      { numRuns: 200 },
    );
  });

  it("never throws anything but a 400 for every Native method's schema", () => {
    fc.assert(
      fc.property(fc.constantFrom(...NATIVE_METHODS), query, jsonish, (m, q, body) => {
        const parsed: unknown = JSON.parse(toJsonText(body));
        try {
          parseArguments(m.args, q, parsed, m.name);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).status).toBe(400);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
