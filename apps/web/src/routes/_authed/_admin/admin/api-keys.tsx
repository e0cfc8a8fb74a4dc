import { createFileRoute, stripSearchParams } from "@tanstack/react-router";
import { useCallback } from "react";
import { AdminKeysScreen, type SetSearch } from "../../../../components/admin-keys/AdminKeysScreen";
import { parseAdminKeySearch, SEARCH_DEFAULTS } from "../../../../lib/admin-keys/search";

// Only the component is code-split: validateSearch and the loader are part of the first
// page load, so they use the zod-free mirror of adminKeyListInputSchema.
export const Route = createFileRoute("/_authed/_admin/admin/api-keys")({
  validateSearch: parseAdminKeySearch,
  // Defaults stay out of the address: /admin/api-keys rather than ?sort=created&dir=desc…
  search: { middlewares: [stripSearchParams(SEARCH_DEFAULTS)] },
  loaderDeps: ({ search }) => search,
  // Non-admins see the _admin layout's explanation; the BFF would refuse them anyway.
  loader: ({ context: { queryClient, trpc, isAdmin }, deps }) =>
    isAdmin
      ? Promise.all([
          queryClient.ensureQueryData(trpc.adminKeys.list.queryOptions(deps)),
          queryClient.ensureQueryData(trpc.adminKeys.options.queryOptions()),
        ]).then(() => undefined)
      : undefined,
  component: AdminApiKeysPage,
});

function AdminApiKeysPage() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const setSearch = useCallback<SetSearch>(
    (patch, options) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: options?.replace }),
    [navigate],
  );
  return <AdminKeysScreen search={search} setSearch={setSearch} />;
}
