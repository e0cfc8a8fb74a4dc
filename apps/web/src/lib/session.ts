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
