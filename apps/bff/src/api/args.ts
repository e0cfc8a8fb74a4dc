// Native API arguments: read from the query string and the body, checked against the
// method's zod schema, and turned into values. Everything here treats input as hostile:
// names are matched against the declared arguments only (never used as property keys on
// ordinary objects), values of the wrong shape are refused with a 400 naming the
// argument, and the body's size, width and depth are bounded before anything walks it.
//
// The merge rule: an argument may come from the query string or the body (a JSON object
// or an application/x-www-form-urlencoded form). When both give the same argument, the
// BODY wins. Names match case-insensitively ("apikey_id" is "ApiKey_Id"). The key's own
// presentation fields (`key`, `API_Key`) are never method arguments.
import { z } from "zod";
import { type AppError, badRequest } from "../errors.ts";

export const MAX_BODY_DEPTH = 8;
export const MAX_ARGUMENTS = 100;
export const MAX_LIST_ITEMS = 100;
/** No single argument value may be longer; schemas set tighter limits per argument. */
export const MAX_TEXT_LENGTH = 10_000;
export const INT_MAX = 2_147_483_647; // PostgreSQL's int4, the ids' column type

/** Presentation fields of docs/presenting-keys.md: how the key travels, not what the method gets. */
const PRESENTATION_NAMES = new Set(["key", "api_key"]);

export type ArgKind = "integer" | "boolean" | "text" | "choice" | "list" | "date";

// Which kind each declared schema is; read when coercing query strings and form fields.
const KINDS = new WeakMap<z.ZodType, ArgKind>();
// Text arguments whose spaces matter (passwords, custom key values): not trimmed.
const UNTRIMMED = new WeakSet<z.ZodType>();
function tag<T extends z.ZodType>(schema: T, kind: ArgKind, trim = true): T {
  KINDS.set(schema, kind);
  if (!trim) UNTRIMMED.add(schema);
  return schema;
}

type Common<R extends boolean = boolean> = { description: string; required?: R };
/** A required argument's schema as it is; an optional one's wrapped. */
type Arg<S extends z.ZodType, R extends boolean, Optional extends z.ZodType> = R extends true ? S : Optional;

const KIND_MESSAGE: Record<ArgKind, string> = {
  integer: "must be a whole number.",
  boolean: "must be true or false.",
  text: "must be text.",
  choice: "must be text.",
  list: "must be a list of text values (a JSON array, or text separated by commas).",
  date: "must be a date, e.g. 2027-12-31 or 2027-12-31T12:00:00Z.",
};

/**
 * Argument schemas. Optional arguments also accept null (and "" in a query string),
 * which methods read as "clear this value"; an absent argument is undefined.
 */
export const arg = {
  integer<R extends boolean = false>({ description, required, min = 1, max = INT_MAX }: Common<R> & { min?: number; max?: number }) {
    const base = z
      .number({ error: KIND_MESSAGE.integer })
      .int(KIND_MESSAGE.integer)
      .min(min, `must be at least ${min}.`)
      .max(max, `must be at most ${max}.`)
      .describe(description);
    return tag(required ? base : base.optional(), "integer") as Arg<typeof base, R, z.ZodOptional<typeof base>>;
  },
  /** An optional whole number from a fixed set; the OpenAPI document lists the set. */
  integerOf<const T extends readonly [number, ...number[]]>(values: T, { description }: Common<false>) {
    const message = `must be ${values.slice(0, -1).join(", ")} or ${values.at(-1)}.`;
    return tag(z.literal(values, { error: message }).describe(description).optional(), "integer");
  },
  boolean<R extends boolean = false>({ description, required }: Common<R>) {
    const base = z.boolean({ error: KIND_MESSAGE.boolean }).describe(description);
    return tag(required ? base : base.optional(), "boolean") as Arg<typeof base, R, z.ZodOptional<typeof base>>;
  },
  text<R extends boolean = false>({
    description,
    required,
    min,
    max = 200,
    pattern,
    trim = true,
  }: Common<R> & { min?: number; max?: number; pattern?: { regex: RegExp; message: string }; trim?: boolean }) {
    let base = z.string({ error: KIND_MESSAGE.text }).max(max, `must be at most ${max} characters.`);
    // "" stays allowed on optional arguments: it means "clear".
    if (min) base = base.regex(new RegExp(`^(|[\\s\\S]{${min},})$`), `must be at least ${min} characters.`);
    if (pattern) base = base.regex(pattern.regex, pattern.message);
    base = base.describe(description);
    return tag(required ? base : base.nullable().optional(), "text", trim) as Arg<typeof base, R, z.ZodOptional<z.ZodNullable<typeof base>>>;
  },
  choice<const T extends readonly [string, ...string[]], R extends boolean = false>(values: T, { description, required }: Common<R>) {
    const message = `must be one of ${values.map((v) => `"${v}"`).join(", ")}.`;
    const base = z.enum(values, { error: message }).describe(description);
    return tag(required ? base : base.optional(), "choice") as Arg<typeof base, R, z.ZodOptional<typeof base>>;
  },
  list<const T extends readonly [string, ...string[]]>({ description, values, itemMax = 100 }: Common<false> & { values?: T; itemMax?: number }) {
    const item = values
      ? z.enum(values, { error: `may only contain ${values.map((v) => `"${v}"`).join(", ")}.` })
      : z.string().min(1).max(itemMax, `has an item longer than ${itemMax} characters.`);
    const base = z.array(item, { error: KIND_MESSAGE.list }).max(MAX_LIST_ITEMS, `may have at most ${MAX_LIST_ITEMS} items.`).describe(description);
    return tag(base.nullable().optional(), "list");
  },
  date({ description }: Common<false>) {
    const base = z
      .string({ error: KIND_MESSAGE.date })
      .max(40, KIND_MESSAGE.date)
      .refine((s) => !Number.isNaN(Date.parse(s)), KIND_MESSAGE.date)
      .describe(description);
    return tag(base.nullable().optional(), "date");
  },
};

export type ArgsSchema = z.ZodObject<Record<string, z.ZodType>>;

/** The kind of each declared argument; every schema in an args object must come from `arg`. */
export function kindOf(schema: z.ZodType): ArgKind {
  const kind = KINDS.get(schema);
  if (!kind) throw new Error("Native API arguments must be declared with the arg.* helpers.");
  return kind;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Refuses bodies that are too deep or too wide before anything walks them. Iterative,
 * so no input can exhaust the stack, and it stops at the first violation.
 */
export function checkShape(value: unknown, maxDepth = MAX_BODY_DEPTH, maxEntries = 10_000): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let seen = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > maxDepth) throw badRequest(`The request body is nested too deeply: at most ${maxDepth} levels are accepted.`);
    const children: unknown[] = Array.isArray(v) ? v : Object.values(v as object);
    seen += children.length;
    if (seen > maxEntries) throw badRequest(`The request body has too many values: at most ${maxEntries} are accepted.`);
    for (const c of children) if (c !== null && typeof c === "object") stack.push([c, depth + 1]);
  }
}

/** Every string in a JSON value (keys and values) is checked; iterative, bounded by checkShape first. */
export function checkJsonBody(value: unknown): void {
  checkShape(value);
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (hasControlCharacters(v)) throw badRequest("The request body contains control characters (such as NUL) in its text. Remove them.");
    } else if (v !== null && typeof v === "object") {
      for (const k of Object.keys(v)) {
        if (hasControlCharacters(k)) throw badRequest("The request body contains control characters (such as NUL) in its property names. Remove them.");
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
}

/** Text that PostgreSQL and logs can take: no NUL or other C0 control characters except tab and newlines. */
export function hasControlCharacters(s: string): boolean {
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);
}

type Given = { name: string; value: unknown };

function ownEntries(source: unknown): Array<[string, unknown]> {
  if (!isPlainObject(source)) return [];
  // Object.keys lists own enumerable properties only, "__proto__" included as a plain
  // name when JSON.parse or querystring made it one; nothing is inherited or assigned.
  return Object.keys(source).map((k) => [k, (source as Record<string, unknown>)[k]]);
}

/** The arguments a request gives, by lower-cased name; the body's win over the query's. */
export function gatherArguments(query: unknown, body: unknown): Map<string, Given> {
  if (body !== undefined && body !== null && !isPlainObject(body)) {
    throw badRequest("The request body must be a JSON object whose properties are the method's arguments.");
  }
  checkShape(body);
  const given = new Map<string, Given>();
  for (const [source, entries] of [
    ["query string", ownEntries(query)],
    ["body", ownEntries(body)],
  ] as const) {
    if (entries.length > MAX_ARGUMENTS) throw badRequest(`The ${source} has too many arguments: at most ${MAX_ARGUMENTS} are accepted.`);
    const here = new Set<string>();
    for (const [name, value] of entries) {
      const folded = name.toLowerCase();
      if (PRESENTATION_NAMES.has(folded)) continue;
      if (here.has(folded)) throw badRequest(`Argument "${shown(name)}" is given twice in the ${source}.`);
      here.add(folded);
      given.set(folded, { name, value });
    }
  }
  return given;
}

function shown(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f"\\]/g, "?");
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

const INTEGER_TEXT = /^\s*[+-]?\d{1,16}\s*$/;
const TRUE_TEXT = new Set(["true", "1", "yes", "y"]);
const FALSE_TEXT = new Set(["false", "0", "no", "n"]);

/** Turns one raw value into what the schema expects; undefined means "not given". */
function coerce(name: string, kind: ArgKind, raw: unknown, trim: boolean): unknown {
  const wrong = () => badRequest(`Argument "${name}" ${KIND_MESSAGE[kind]}`);
  if (raw === undefined) return undefined;
  if (kind !== "list" && Array.isArray(raw)) throw badRequest(`Argument "${name}" must be a single value, not a list.`);
  if (typeof raw === "string" && hasControlCharacters(raw)) throw badRequest(`Argument "${name}" must not contain control characters.`);
  if (typeof raw === "string" && raw.length > MAX_TEXT_LENGTH) throw badRequest(`Argument "${name}" is too long: at most ${MAX_TEXT_LENGTH} characters.`);
  switch (kind) {
    case "integer": {
      if (raw === null || raw === "") return undefined;
      if (typeof raw === "number") {
        if (!Number.isSafeInteger(raw)) throw wrong();
        return raw;
      }
      if (typeof raw === "string" && INTEGER_TEXT.test(raw)) {
        const n = Number(raw.trim());
        if (!Number.isSafeInteger(n)) throw wrong();
        return n;
      }
      throw wrong();
    }
    case "boolean": {
      if (raw === null || raw === "") return undefined;
      if (typeof raw === "boolean") return raw;
      if (raw === 1 || raw === 0) return raw === 1;
      if (typeof raw === "string") {
        const t = raw.trim().toLowerCase();
        if (TRUE_TEXT.has(t)) return true;
        if (FALSE_TEXT.has(t)) return false;
      }
      throw wrong();
    }
    case "text": {
      if (raw === null) return null;
      if (typeof raw !== "string") throw wrong();
      return trim ? raw.trim() : raw;
    }
    case "choice": {
      if (raw === null || raw === "") return undefined;
      if (typeof raw !== "string") throw wrong();
      return raw.trim();
    }
    case "date": {
      if (raw === null) return null;
      if (typeof raw !== "string") throw wrong();
      return raw.trim() === "" ? null : raw.trim();
    }
    case "list": {
      if (raw === null) return null;
      const items = typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : null;
      if (!items) throw wrong();
      if (items.length > MAX_LIST_ITEMS) throw badRequest(`Argument "${name}" may have at most ${MAX_LIST_ITEMS} items.`);
      const out: string[] = [];
      for (const item of items) {
        if (typeof item !== "string") throw wrong();
        if (hasControlCharacters(item)) throw badRequest(`Argument "${name}" must not contain control characters.`);
        const t = item.trim();
        if (t) out.push(t);
      }
      return out;
    }
  }
}

function isMissing(kind: ArgKind, v: unknown): boolean {
  return v === undefined || v === null || (kind === "text" && v === "") || (kind === "list" && Array.isArray(v) && v.length === 0);
}

/**
 * Reads a method's arguments from a request's query and body and validates them with
 * `schema`. Throws a 400 AppError naming the first wrong argument.
 */
export function parseArguments<S extends ArgsSchema>(schema: S, query: unknown, body: unknown, callee = "This method"): z.output<S> {
  const given = gatherArguments(query, body);
  const declared = new Map<string, string>();
  for (const name of Object.keys(schema.shape)) declared.set(name.toLowerCase(), name);

  for (const [folded, g] of given) {
    if (!declared.has(folded)) {
      const names = [...declared.values()];
      throw badRequest(`${callee} has no argument "${shown(g.name)}". ${names.length ? `Its arguments are: ${names.join(", ")}.` : "It takes no arguments."}`);
    }
  }

  const input: Array<[string, unknown]> = [];
  for (const [folded, name] of declared) {
    const field = schema.shape[name]!;
    const kind = kindOf(field);
    const value = coerce(name, kind, given.get(folded)?.value, !UNTRIMMED.has(field));
    if (!field.safeParse(undefined).success && isMissing(kind, value)) throw badRequest(`Argument "${name}" is required.`);
    input.push([name, value]);
  }

  // Only declared names become properties, through define semantics: no input can reach a prototype.
  const result = schema.safeParse(Object.fromEntries(input));
  if (!result.success) throw argumentError(result.error);
  return result.data;
}

function argumentError(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const name = typeof issue?.path[0] === "string" ? issue.path[0] : undefined;
  const message = issue?.message ?? "is not valid.";
  return badRequest(name ? `Argument "${name}" ${message}` : `The arguments are not valid: ${message}`);
}
