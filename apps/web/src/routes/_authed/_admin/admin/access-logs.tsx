import { createFileRoute } from "@tanstack/react-router";
import { useCallback } from "react";
import { AccessLogViewer, type SetSearch } from "../../../../components/access-logs/AccessLogViewer";
import { accessLogListOptions } from "../../../../lib/access-logs/query";
import { compact, parseAccessLogSearch } from "../../../../lib/access-logs/search";

// Every access-log entry (docs/screens.md, docs/access-logs.md). The filters are the URL's search params, so a
// filtered view can be shared; validateSearch and the loader are part of the first page
// load, so they use the zod-free mirror of accessLogFilterSchema.
export const Route = createFileRoute("/_authed/_admin/admin/access-logs")({
  validateSearch: parseAccessLogSearch,
  // Waits for the first page on arrival; later filter changes load in the page itself
  // (no loaderDeps), which keeps showing the previous entries meanwhile.
  // Non-admins see the _admin layout's explanation; the BFF would refuse them anyway.
  loader: ({ context: { queryClient, trpc, isAdmin }, location }) =>
    isAdmin
      ? queryClient.ensureInfiniteQueryData(accessLogListOptions(trpc, parseAccessLogSearch(location.search as never), "admin")).then(() => undefined)
      : undefined,
  component: AdminAccessLogsPage,
});

function AdminAccessLogsPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const setSearch = useCallback<SetSearch>((next, options) => void navigate({ search: compact(next), replace: options?.replace }), [navigate]);
  return <AccessLogViewer mode="admin" search={search} setSearch={setSearch} />;
}
