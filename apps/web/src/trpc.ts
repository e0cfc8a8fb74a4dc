import type { AppRouter } from "@keyhouse/bff/router";
import { hashKey, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext, createTRPCOptionsProxy, type TRPCOptionsProxy } from "@trpc/tanstack-react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { csrfHeaders, setCsrfToken } from "./lib/csrf";
import { shouldRetry } from "./lib/trpc-errors";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** What auth.me answers: the signed-in user and their CSRF token, or null. */
export type Session = RouterOutputs["auth"]["me"];
export type SessionUser = NonNullable<Session>["user"];

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: shouldRetry,
      // Loaders and components ask for the same data moments apart; don't fetch it twice.
      staleTime: 30_000,
    },
    mutations: { retry: false },
  },
});

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: "/trpc",
      headers: ({ opList }) => csrfHeaders(opList),
      fetch: (url, options) => fetch(url, { ...options, credentials: "same-origin" }),
    }),
  ],
});

export const trpc: TRPCOptionsProxy<AppRouter> = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

/** For components: useTRPC() reads the same proxy from React context, which tests can replace. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

// The session query is the single source of the CSRF token: whatever puts a session in
// the cache (auth.me, a sign-in's setQueryData, a background refetch) updates it, and
// clearing the cache on sign-out forgets it.
const sessionQueryHash = hashKey(trpc.auth.me.queryKey());
queryClient.getQueryCache().subscribe((event) => {
  if (event.query.queryHash !== sessionQueryHash) return;
  if (event.type === "removed") {
    setCsrfToken(null);
    return;
  }
  const session = event.query.state.data as Session | undefined;
  setCsrfToken(session?.csrfToken ?? null);
});
