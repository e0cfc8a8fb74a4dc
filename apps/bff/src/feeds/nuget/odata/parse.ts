// The part of OData v2 query syntax NuGet 2.x, Chocolatey and PowerShellGet send
// ($filter, $orderby, $select, $skip, $top, function parameters), parsed into a small
// expression tree (evaluate.ts runs it over in-memory rows; docs/feeds.md). Pure: no I/O.
// Anything outside it (an unknown function or property, a malformed expression, a count
// out of range) is an ODataError, which the handlers answer with a 400 naming it.

export class ODataError extends Error {}

export type Value = string | number | boolean | Date | null;
export type ValueType = "string" | "number" | "boolean" | "date" | "null";
export type Expr =
  | { k: "lit"; v: Value }
  | { k: "prop"; name: string }
  | { k: "call"; fn: string; args: Expr[] }
  | { k: "bin"; op: string; l: Expr; r: Expr }
  | { k: "not"; e: Expr };
/** The properties a query may name, with their types. */
export type Schema = ReadonlyMap<string, ValueType>;

const MAX_TEXT = 4000;
const MAX_DEPTH = 40;
const COMPARISONS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const FUNCTIONS: Record<string, { args: ValueType[]; returns: ValueType }> = {
  tolower: { args: ["string"], returns: "string" },
  toupper: { args: ["string"], returns: "string" },
  trim: { args: ["string"], returns: "string" },
  length: { args: ["string"], returns: "number" },
  substringof: { args: ["string", "string"], returns: "boolean" },
  contains: { args: ["string", "string"], returns: "boolean" },
  startswith: { args: ["string", "string"], returns: "boolean" },
  endswith: { args: ["string", "string"], returns: "boolean" },
  indexof: { args: ["string", "string"], returns: "number" },
  concat: { args: ["string", "string"], returns: "string" },
};

type Token = { t: "str" | "num" | "word" | "(" | ")" | ","; v: string; at: number };

function tokenize(text: string, what: string): Token[] {
  if (text.length > MAX_TEXT) throw new ODataError(`${what} is longer than ${MAX_TEXT} characters.`);
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c, v: c, at: i++ });
    } else if (c === "'") {
      let s = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length)
          throw new ODataError(`${what} has a string starting at character ${i + 1} that never ends (strings are 'quoted', with '' for a quote).`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            s += "'";
            j += 2;
            continue;
          }
          break;
        }
        s += text[j++];
      }
      out.push({ t: "str", v: s, at: i });
      i = j + 1;
    } else {
      const m = /^(-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
      if (!m) throw new ODataError(`${what} has an unexpected "${c}" at character ${i + 1}.`);
      out.push({ t: /^-?\d/.test(m[1]!) ? "num" : "word", v: m[1]!, at: i });
      i += m[1]!.length;
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly schema: Schema,
    private readonly what: string,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private fail(message: string): never {
    throw new ODataError(`${this.what} is not valid: ${message}`);
  }
  private word(w: string): boolean {
    const t = this.peek();
    if (t?.t === "word" && t.v.toLowerCase() === w) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(t: Token["t"]) {
    const got = this.peek();
    if (got?.t !== t) this.fail(got ? `expected "${t}" at character ${got.at + 1}, found "${got.v}".` : `expected "${t}" but the text ended.`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  rest(): never {
    const t = this.peek()!;
    this.fail(`unexpected "${t.v}" at character ${t.at + 1}.`);
  }

  or(depth: number): Expr {
    if (depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} deep.`);
    let l = this.and(depth);
    while (this.word("or")) l = { k: "bin", op: "or", l, r: this.and(depth) };
    return l;
  }
  private and(depth: number): Expr {
    let l = this.comparison(depth);
    while (this.word("and")) l = { k: "bin", op: "and", l, r: this.comparison(depth) };
    return l;
  }
  private comparison(depth: number): Expr {
    const l = this.unary(depth);
    const t = this.peek();
    if (t?.t === "word" && COMPARISONS.has(t.v.toLowerCase())) {
      this.i++;
      return { k: "bin", op: t.v.toLowerCase(), l, r: this.unary(depth) };
    }
    return l;
  }
  private unary(depth: number): Expr {
    if (depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} deep.`);
    if (this.word("not")) return { k: "not", e: this.unary(depth + 1) };
    return this.primary(depth);
  }
  private primary(depth: number): Expr {
    const t = this.peek();
    if (!t) this.fail("it ends where a value was expected.");
    this.i++;
    if (t.t === "(") {
      const e = this.or(depth + 1);
      this.expect(")");
      return e;
    }
    if (t.t === "str") return { k: "lit", v: t.v };
    if (t.t === "num") return { k: "lit", v: Number(t.v) };
    if (t.t !== "word") this.fail(`unexpected "${t.v}" at character ${t.at + 1}.`);
    const lower = t.v.toLowerCase();
    if (this.peek()?.t === "(") {
      const fn = FUNCTIONS[lower];
      if (!fn) this.fail(`unknown function "${t.v}"; the functions understood are ${Object.keys(FUNCTIONS).join(", ")}.`);
      this.i++;
      const args: Expr[] = [];
      if (this.peek()?.t !== ")") {
        args.push(this.or(depth + 1));
        while (this.peek()?.t === ",") {
          this.i++;
          args.push(this.or(depth + 1));
        }
      }
      this.expect(")");
      if (args.length !== fn.args.length) this.fail(`${lower}() takes ${fn.args.length} argument(s), not ${args.length}.`);
      return { k: "call", fn: lower, args };
    }
    if (lower === "true" || lower === "false") return { k: "lit", v: lower === "true" };
    if (lower === "null") return { k: "lit", v: null };
    if (!this.schema.has(t.v)) this.fail(`unknown property "${t.v}" (property names are case-sensitive, e.g. Id, Version, IsLatestVersion).`);
    return { k: "prop", name: t.v };
  }
}

export function typeOf(e: Expr, schema: Schema): ValueType {
  switch (e.k) {
    case "lit":
      return e.v === null ? "null" : e.v instanceof Date ? "date" : (typeof e.v as ValueType);
    case "prop":
      return schema.get(e.name)!;
    case "call":
      return FUNCTIONS[e.fn]!.returns;
    case "not":
      return "boolean";
    case "bin":
      return "boolean";
  }
}

/** Booleans where booleans belong: "Id and IsPrerelease" is a mistake worth naming. */
function checkTypes(e: Expr, schema: Schema, what: string): void {
  const need = (x: Expr, type: ValueType, where: string) => {
    checkTypes(x, schema, what);
    const got = typeOf(x, schema);
    if (got !== type && got !== "null") throw new ODataError(`${what} is not valid: ${where} needs a ${type}, not a ${got}.`);
  };
  if (e.k === "not") need(e.e, "boolean", "not");
  else if (e.k === "call")
    e.args.forEach((a, i) => {
      need(a, FUNCTIONS[e.fn]!.args[i]!, `${e.fn}()`);
    });
  else if (e.k === "bin" && (e.op === "and" || e.op === "or")) {
    need(e.l, "boolean", e.op);
    need(e.r, "boolean", e.op);
  } else if (e.k === "bin") {
    checkTypes(e.l, schema, what);
    checkTypes(e.r, schema, what);
    const [a, b] = [typeOf(e.l, schema), typeOf(e.r, schema)];
    if (a !== b && a !== "null" && b !== "null") throw new ODataError(`${what} is not valid: "${e.op}" compares a ${a} with a ${b}.`);
  }
}

function parseExpression(text: string, schema: Schema, what: string): Expr {
  const p = new Parser(tokenize(text, what), schema, what);
  if (p.done()) throw new ODataError(`${what} is empty.`);
  const e = p.or(0);
  if (!p.done()) p.rest();
  checkTypes(e, schema, what);
  return e;
}

/** $filter: a condition. */
export function parseFilter(text: string, schema: Schema): Expr {
  const e = parseExpression(text, schema, "$filter");
  const type = typeOf(e, schema);
  if (type !== "boolean") throw new ODataError(`$filter is not valid: it must be a condition (true or false), not a ${type}.`);
  return e;
}

export type OrderBy = { e: Expr; desc: boolean }[];

/** $orderby: comma-separated expressions, each optionally followed by asc or desc. */
export function parseOrderBy(text: string, schema: Schema): OrderBy {
  return splitTopLevel(text).map((part) => {
    const m = /^(.*?)(?:\s+(asc|desc))?\s*$/i.exec(part)!;
    return { e: parseExpression(m[1]!, schema, "$orderby"), desc: m[2]?.toLowerCase() === "desc" };
  });
}

/** $select: property names, or * for all. */
export function parseSelect(text: string, schema: Schema): string[] | null {
  const names = text.split(",").map((s) => s.trim());
  if (names.includes("*")) return null;
  for (const n of names) {
    if (!schema.has(n)) throw new ODataError(`$select names an unknown property "${n.slice(0, 60)}".`);
  }
  return names;
}

function splitTopLevel(text: string): string[] {
  if (text.length > MAX_TEXT) throw new ODataError(`$orderby is longer than ${MAX_TEXT} characters.`);
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** $skip and $top: whole numbers from 0 up to max. */
export function parseCount(name: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw.trim())) throw new ODataError(`${name} must be a whole number of 0 or more; "${raw.slice(0, 40)}" is not.`);
  const n = Number(raw.trim());
  if (n > max) throw new ODataError(`${name} may be at most ${max}; ${raw.trim()} is too large.`);
  return n;
}

/** A function parameter such as id='Contoso.Core': a quoted OData string; absent is "". */
export function parseStringParam(name: string, raw: string | undefined): string {
  if (raw === undefined) return "";
  const t = raw.trim();
  if (t === "") return "";
  const m = /^'((?:[^']|'')*)'$/s.exec(t);
  if (!m) throw new ODataError(`The ${name} parameter must be a 'quoted' string, as in ${name}='Contoso.Core'; "${t.slice(0, 60)}" is not.`);
  return m[1]!.replace(/''/g, "'");
}

/** A boolean function parameter (includePrerelease=true); absent is false. */
export function parseBoolParam(name: string, raw: string | undefined): boolean {
  const t = (raw ?? "").trim().toLowerCase();
  if (t === "" || t === "false") return false;
  if (t === "true") return true;
  throw new ODataError(`The ${name} parameter must be true or false; "${t.slice(0, 40)}" is not.`);
}

/** The key of Packages(Id='…',Version='…'), in either order. */
export function parseEntityKey(text: string): { id: string; version: string } {
  const part = "\\s*(Id|Version)\\s*=\\s*'((?:[^']|'')*)'\\s*";
  const m = new RegExp(`^${part},${part}$`).exec(text.slice(0, MAX_TEXT));
  if (!m || m[1] === m[3]) {
    throw new ODataError(`A package is named as Packages(Id='Contoso.Core',Version='1.0.0'); "(${text.slice(0, 100)})" is not that.`);
  }
  const unquote = (s: string) => s.replace(/''/g, "'");
  const byName = { [m[1]!]: unquote(m[2]!), [m[3]!]: unquote(m[4]!) };
  return { id: byName.Id!, version: byName.Version! };
}
