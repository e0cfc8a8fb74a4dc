// Which server log lines report an internal error: the error handlers' "… failed: <stack>"
// lines (http/app.ts, rubygems/text-responses.ts, tRPC's onError), a package file missing
// from the store, a response that could not be sent, access-log entries that could not be
// written or were dropped, and any stack trace.
const INTERNAL = [
  / failed: /,
  /could not be (sent|written)/,
  /could not write/,
  /missing from the store/,
  /dropped/,
  /\n\s+at .+:\d+:\d+/,
  /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/,
];

export function internalErrors(lines: readonly string[]): string[] {
  return lines.filter((l) => INTERNAL.some((re) => re.test(l)));
}
