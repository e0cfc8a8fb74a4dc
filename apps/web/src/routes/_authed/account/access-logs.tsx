import { createFileRoute } from "@tanstack/react-router";
import { useCallback } from "react";
import { AccessLogViewer, type SetSearch } from "../../../components/access-logs/AccessLogViewer";
import { accessLogListOptions } from "../../../lib/access-logs/query";
import { compact, parseAccessLogSearch } from "../../../lib/access-logs/search";

// Account › Access logs: the entries of the signed-in user's own keys (admins included:
// their everything-view is Admin › Access logs). Filters in the URL, as there.
export const Route = createFileRoute("/_authed/account/access-logs")({
  validateSearch: parseAccessLogSearch,
  loader: ({ context: { queryClient, trpc }, location }) => {
    // The Key filter lists the user's keys; not worth waiting for.
    void queryClient.prefetchQuery(trpc.keys.list.queryOptions());
    return queryClient.ensureInfiniteQueryData(accessLogListOptions(trpc, parseAccessLogSearch(location.search as never), "account")).then(() => undefined);
  },
  component: AccountAccessLogsPage,
});

function AccountAccessLogsPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const setSearch = useCallback<SetSearch>((next, options) => void navigate({ search: compact(next), replace: options?.replace }), [navigate]);
  return <AccessLogViewer mode="account" search={search} setSearch={setSearch} />;
}
