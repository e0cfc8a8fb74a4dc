// The grid's query, shared by the route loaders (which start it before the page's code
// has loaded) and the viewer, so both use the same cache entry. Kept tiny: loaders are
// part of the first page load.
import type { RouterContext } from "../router-context";
import { listInput, type AccessLogSearch, type ViewerMode } from "./search";

/** logs.list as an infinite query: newest first, the next page's cursor from nextCursor. */
export function accessLogListOptions(trpc: RouterContext["trpc"], search: AccessLogSearch, mode: ViewerMode) {
  return trpc.logs.list.infiniteQueryOptions(listInput(search, mode), {
    getNextPageParam: (last) => last.nextCursor,
    // Entries never change once written; new ones come from Refresh / Auto-refresh.
    staleTime: 15_000,
  });
}
