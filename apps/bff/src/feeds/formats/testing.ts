// Test helpers for the format readers: the message of the FormatError a call must throw,
// and the property that a reader fed anything throws nothing but a FormatError (a 400 to
// the client, never a 500).
import { expect } from "vitest";
import { FormatError } from "./errors.ts";

export function formatError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as Error).message;
  }
  throw new Error("expected a FormatError");
}

export async function formatErrorOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as Error).message;
  }
  throw new Error("expected a FormatError");
}

export function expectOnlyFormatErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
  }
}

export async function expectOnlyFormatErrorsAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
  }
}

/** A copy of `base` cut short by `cut` bytes (modulo its length) with bytes overwritten at `edits` (fast-check's arbitraries). */
export function truncatedAndEdited(base: Uint8Array, cut: number, edits: [at: number, value: number][]): Uint8Array {
  const bytes = base.slice(0, base.length - (cut % base.length));
  for (const [at, value] of edits) if (bytes.length) bytes[at % bytes.length] = value;
  return bytes;
}
