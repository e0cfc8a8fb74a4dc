// Evaluating parsed OData expressions over one row, and ordering rows by $orderby.
// Total: whatever a row holds, evaluation answers a value and never throws.
import type { Expr, OrderBy, Value } from "./parse.ts";

const asString = (v: Value): string | null => (typeof v === "string" ? v : null);
const comparable = (v: Value): string | number | boolean | null => (v instanceof Date ? v.getTime() : v);

function compare(op: string, a: Value, b: Value): boolean {
  const [x, y] = [comparable(a), comparable(b)];
  if (op === "eq") return x === y;
  if (op === "ne") return x !== y;
  if (x === null || y === null) return false;
  switch (op) {
    case "gt":
      return x > y;
    case "ge":
      return x >= y;
    case "lt":
      return x < y;
    default:
      return x <= y;
  }
}

function call(fn: string, args: Value[]): Value {
  const [a, b] = [asString(args[0] ?? null), asString(args[1] ?? null)];
  if (a === null || (args.length > 1 && b === null)) return null;
  switch (fn) {
    case "tolower":
      return a.toLowerCase();
    case "toupper":
      return a.toUpperCase();
    case "trim":
      return a.trim();
    case "length":
      return a.length;
    case "substringof":
      return b!.includes(a);
    case "contains":
      return a.includes(b!);
    case "startswith":
      return a.startsWith(b!);
    case "endswith":
      return a.endsWith(b!);
    case "indexof":
      return a.indexOf(b!);
    default:
      return a + b!;
  }
}

/** Total: whatever the row holds, an expression answers a value and never throws. */
export function evaluate(e: Expr, row: (name: string) => Value): Value {
  switch (e.k) {
    case "lit":
      return e.v;
    case "prop":
      return row(e.name);
    case "not":
      return evaluate(e.e, row) === true ? false : evaluate(e.e, row) === false;
    case "call":
      return call(
        e.fn,
        e.args.map((a) => evaluate(a, row)),
      );
    case "bin":
      if (e.op === "and") return evaluate(e.l, row) === true && evaluate(e.r, row) === true;
      if (e.op === "or") return evaluate(e.l, row) === true || evaluate(e.r, row) === true;
      return compare(e.op, evaluate(e.l, row), evaluate(e.r, row));
  }
}

/** A property's own order where text order is wrong, e.g. versions (1.10.0 after 1.9.0). */
export type Collate = (property: string) => ((a: string, b: string) => number) | undefined;

/** Sorts rows by the $orderby keys; nulls first, as OData orders them. */
export function sortRows<T>(rows: T[], order: OrderBy, get: (row: T) => (name: string) => Value, collate: Collate = () => undefined): T[] {
  if (order.length === 0) return rows;
  const keyed = rows.map((row) => ({ row, keys: order.map((o) => comparable(evaluate(o.e, get(row)))) }));
  const compares = order.map((o) => (o.e.k === "prop" ? collate(o.e.name) : undefined));
  keyed.sort((a, b) => {
    for (let i = 0; i < order.length; i++) {
      const [x, y] = [a.keys[i]!, b.keys[i]!];
      const by = compares[i];
      const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : by && typeof x === "string" && typeof y === "string" ? by(x, y) : x < y ? -1 : 1;
      if (c !== 0) return order[i]!.desc ? -c : c;
    }
    return 0;
  });
  return keyed.map((k) => k.row);
}
