// The one error the package-format readers throw. Uploads are untrusted bytes, so every
// failure, including ones from libraries underneath, becomes a FormatError whose message
// tells the publisher what is wrong with their package. `status` lets the server's
// httpStatusOf() answer 400 without knowing about this class.
export class FormatError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = "FormatError";
  }
}

/** Limits shared by the readers: big enough for real packages, small enough to be cheap. */
export const LIMITS = {
  /** Most entries a zip (.nupkg) or outer tar (.gem) may list. */
  archiveEntries: 10_000,
  /** Largest manifest (.nuspec, package.json, gemspec YAML) after decompression. */
  manifestBytes: 1024 * 1024,
} as const;

/**
 * Runs a reader and turns anything that is not already a FormatError (a RangeError from a
 * stack overflow, a zlib error, a bug) into one, so callers only ever see FormatError.
 */
export function guard<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError(`${what} could not be read${reason(err)}.`);
  }
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : "";
  // Library messages are short and technical; keep them as a hint, one line, bounded.
  const line = message.split("\n")[0]?.trim().slice(0, 200) ?? "";
  return line ? ` (${line.replace(/\.$/, "")})` : "";
}

/** "1.2 MiB" style sizes for messages. */
export function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
