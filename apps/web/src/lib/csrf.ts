import type { Operation } from "@trpc/client";

// The BFF's double-submit defence: every mutation carries the token it handed out with
// the session. Held only in this module (never Web Storage) so a page reload fetches a
// fresh one from auth.me and nothing outlives the tab.
let csrfToken: string | null = null;

export const CSRF_HEADER = "x-csrf-token";
/** What the BFF expects on mutations made before there is a session (signing in). */
export const ANONYMOUS_CSRF_TOKEN = "anonymous";

// Signing in happens without a session, so the BFF accepts the anonymous marker there only.
const ANONYMOUS_PROCEDURES: ReadonlySet<string> = new Set(["auth.login"]);

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Headers for one batched request; httpBatchLink batches queries and mutations separately. */
export function csrfHeaders(opList: ReadonlyArray<Pick<Operation, "type" | "path">>, token: string | null = csrfToken): Record<string, string> {
  const mutations = opList.filter((op) => op.type === "mutation");
  if (mutations.length === 0) return {};
  const anonymous = mutations.every((op) => ANONYMOUS_PROCEDURES.has(op.path));
  return { [CSRF_HEADER]: anonymous || token === null ? ANONYMOUS_CSRF_TOKEN : token };
}
