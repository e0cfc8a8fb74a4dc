import type { AppRouter } from "@keyhouse/bff/router";
import type { QueryClient } from "@tanstack/react-query";
import type { TRPCOptionsProxy } from "@trpc/tanstack-react-query";

/** Handed to every route's beforeLoad and loader, so they can prefetch through tRPC. */
export type RouterContext = {
  queryClient: QueryClient;
  trpc: TRPCOptionsProxy<AppRouter>;
};
