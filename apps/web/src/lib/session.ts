import { useQuery } from "@tanstack/react-query";
import { useTRPC, type Session } from "../trpc";
import type { RouterContext } from "./router-context";

/** Resolves from the cache when it can; every guard and the shell share this one query. */
export function loadSession({ queryClient, trpc }: RouterContext): Promise<Session> {
  return queryClient.ensureQueryData(trpc.auth.me.queryOptions());
}

/** The signed-in user's session, or null. Route loaders have already put it in the cache. */
export function useSession(): Session {
  const trpc = useTRPC();
  return useQuery(trpc.auth.me.queryOptions()).data ?? null;
}

/**
 * Forgets everything cached for the previous user (queries, and mutations, which may
 * hold a just-created key) and records the new session. The session query itself is
 * updated in place rather than removed: the header observes it, and an observer of a
 * removed query would keep showing the old user.
 */
export function switchSession({ queryClient, trpc }: RouterContext, session: Session): void {
  const sessionKey = trpc.auth.me.queryKey();
  const sessionQuery = queryClient.getQueryCache().find({ queryKey: sessionKey, exact: true });
  queryClient.removeQueries({ predicate: (query) => query !== sessionQuery });
  queryClient.getMutationCache().clear();
  queryClient.setQueryData(sessionKey, session);
}
