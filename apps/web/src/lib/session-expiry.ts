import { hashKey, type QueryClient } from "@tanstack/react-query";
import type { RouterContext } from "./router-context";
import { isUnauthorized } from "./trpc-errors";

/**
 * A session can end behind the SPA's back (expired, signed out in another tab). When
 * any request answers UNAUTHORIZED, forget the session and let the route guards send
 * the person to the sign-in page, with a way back to where they were.
 */
export function watchForExpiredSession({ queryClient, trpc }: RouterContext, onExpired: () => void): () => void {
  const sessionKey = trpc.auth.me.queryKey();
  // UNAUTHORIZED from these means a wrong password or an already-ended session; the
  // sign-in form and the sign-out button handle them themselves.
  const handledElsewhere = new Set([hashKey(trpc.auth.login.mutationKey()), hashKey(trpc.auth.logout.mutationKey())]);

  const expire = (client: QueryClient) => {
    if (client.getQueryData(sessionKey) == null) return;
    client.setQueryData(sessionKey, null);
    onExpired();
  };

  const stopQueries = queryClient.getQueryCache().subscribe((event) => {
    if (event.type === "updated" && event.action.type === "error" && isUnauthorized(event.action.error)) expire(queryClient);
  });
  const stopMutations = queryClient.getMutationCache().subscribe((event) => {
    if (event.type !== "updated" || event.action.type !== "error" || !isUnauthorized(event.action.error)) return;
    const key = event.mutation.options.mutationKey;
    if (key && handledElsewhere.has(hashKey(key))) return;
    expire(queryClient);
  });
  return () => {
    stopQueries();
    stopMutations();
  };
}
