import { z } from "zod";

/**
 * zod probes whether it may compile validators with `new Function`, which a strict
 * Content-Security-Policy (script-src 'self') reports as a violation in the browser.
 * Every module that defines schemas calls this at its top, so the setting travels with
 * the schemas even when a bundler drops side-effect-only imports.
 */
export function configureZod(): void {
  z.config({ jitless: true });
}
