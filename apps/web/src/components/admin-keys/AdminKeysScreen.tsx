import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { AdminKeyRow } from "../../lib/admin-keys/format";
import { FILTER_KEYS, hasFilters, type AdminKeySearch, type FilterKey } from "../../lib/admin-keys/search";
import { primaryButton, secondaryButton, textInput } from "../../lib/styles";
import { errorMessage } from "../../lib/trpc-errors";
import { usePageTitle } from "../../lib/use-page-title";
import { useTRPC } from "../../trpc";
import { ConfirmDialog } from "../ConfirmDialog";
import { LoadError } from "../LoadError";
import { PageHeader } from "../PageHeader";
import { TableScroller } from "../TableScroller";
import { KeyFilters } from "./KeyFilters";
import type { RowActions } from "./cells";
import { KeyCards } from "./KeyCards";
import { KeyTable } from "./KeyTable";
import { Pager } from "./Pager";
import { ScopedKeyDialog } from "./ScopedKeyDialog";
import { SystemKeyDialog, type SystemKeyTarget } from "./SystemKeyDialog";
import { fieldLabel } from "./styles";

export type SetSearch = (patch: Partial<AdminKeySearch>, options?: { replace?: boolean }) => void;

/** Admin › API keys: every key on the server, ProGet's grid. */
export function AdminKeysScreen({ search, setSearch }: { search: AdminKeySearch; setSearch: SetSearch }) {
  usePageTitle("Admin › API keys");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.adminKeys.list.queryOptions(search), placeholderData: keepPreviousData });
  const options = useQuery(trpc.adminKeys.options.queryOptions());
  const gridRef = useRef<HTMLDivElement>(null);
  const [announcement, setAnnouncement] = useState("");
  const [editor, setEditor] = useState<SystemKeyTarget | null>(null);
  const [editingScoped, setEditingScoped] = useState<AdminKeyRow | null>(null);
  const [revoking, setRevoking] = useState<AdminKeyRow | null>(null);
  const [deleting, setDeleting] = useState<AdminKeyRow | null>(null);
  const [reason, setReason] = useState("");
  const reasonId = useId();

  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.adminKeys.list.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.keys.pathKey() })]);

  const revoke = useMutation(
    trpc.adminKeys.revoke.mutationOptions({
      onSuccess: async (key) => {
        await refresh();
        setRevoking(null);
        setAnnouncement(`Revoked “${key.name}”.${key.owner ? ` ${key.owner.username} has been notified.` : ""}`);
      },
    }),
  );
  const remove = useMutation(
    trpc.adminKeys.delete.mutationOptions({
      onSuccess: async () => {
        const name = deleting?.name ?? "the key";
        const owner = deleting?.owner?.username;
        await refresh();
        setDeleting(null);
        setAnnouncement(`Deleted “${name}”.${owner ? ` ${owner} has been notified.` : ""}`);
      },
    }),
  );

  // Filtering or paging changes the rows: what was announced no longer applies.
  const searchKey = JSON.stringify(search);
  useEffect(() => setAnnouncement(""), [searchKey]);

  // A page past the end (the last key of the last page deleted, an old link): go to the last page.
  const data = list.data;
  useEffect(() => {
    if (data && data.rows.length === 0 && data.total > 0 && search.page > 1) {
      setSearch({ page: Math.max(1, Math.ceil(data.total / search.pageSize)) }, { replace: true });
    }
  }, [data, search.page, search.pageSize, setSearch]);

  const filter = useCallback((patch: Partial<Pick<AdminKeySearch, FilterKey>>) => setSearch({ ...patch, page: 1 }, { replace: "text" in patch }), [setSearch]);
  const clear = useCallback(() => setSearch({ ...Object.fromEntries(FILTER_KEYS.map((k) => [k, undefined])), page: 1 }), [setSearch]);

  const actions = useMemo<RowActions>(
    () => ({
      onEdit: (key) => setEditor({ mode: "edit", key }),
      onEditScoped: (key) => setEditingScoped(key),
      onRevoke: (key) => {
        revoke.reset();
        setReason("");
        setRevoking(key);
      },
      onDelete: (key) => {
        remove.reset();
        setDeleting(key);
      },
    }),
    // The mutation objects change every render; their reset functions do not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [revoke.reset, remove.reset],
  );

  const rows = data?.rows ?? [];
  const busy = list.isFetching && list.isPlaceholderData;
  const sort = (by: AdminKeySearch["sort"], dir: AdminKeySearch["dir"]) => setSearch({ sort: by, dir, page: 1 });
  return (
    <>
      <PageHeader
        title="Admin › API keys"
        description="Every API key on this server: scoped, system and legacy keys, whoever owns them. System keys are made here, for scripts and integrations."
        actions={
          <button type="button" className={primaryButton} onClick={() => setEditor({ mode: "create" })}>
            Create system key
          </button>
        }
      />

      <p role="status" className={announcement ? "mb-4 rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900" : "sr-only"}>
        {announcement}
      </p>

      <KeyFilters search={search} options={options.data} onChange={filter} onClear={clear} />

      {list.isError && !data ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <div ref={gridRef} tabIndex={-1} className="focus:outline-none">
          {list.isError && (
            <p role="alert" className="mb-2 text-sm text-red-800">
              Could not refresh the list: {errorMessage(list.error)}
            </p>
          )}
          {data && rows.length === 0 && data.total === 0 ? (
            <div className="rounded-md border border-dashed border-gray-300 px-4 py-10 text-center text-sm text-gray-600">
              {hasFilters(search) ? (
                <>
                  <p>No keys match these filters.</p>
                  <button type="button" className={`${secondaryButton} mt-3`} onClick={clear}>
                    Clear filters
                  </button>
                </>
              ) : (
                <p>There are no API keys yet.</p>
              )}
            </div>
          ) : (
            <>
              {/* Wide screens get ProGet's grid; narrow ones a card per key. Only one is displayed. */}
              <div className="hidden lg:block">
                <TableScroller label="API keys">
                  <KeyTable rows={rows} search={search} onSort={sort} actions={actions} busy={busy} />
                </TableScroller>
              </div>
              <div className="lg:hidden">
                <KeyCards rows={rows} search={search} onSort={sort} actions={actions} busy={busy} />
              </div>
            </>
          )}
          {data && (
            <Pager
              page={search.page}
              pageSize={search.pageSize}
              total={data.total}
              onPage={(page) => setSearch({ page })}
              onPageSize={(pageSize) => setSearch({ pageSize, page: 1 })}
            />
          )}
        </div>
      )}

      <SystemKeyDialog
        target={editor}
        options={options.data}
        returnFocus={gridRef}
        onClose={(message) => {
          setEditor(null);
          if (message) setAnnouncement(message);
        }}
      />

      <ScopedKeyDialog
        target={editingScoped}
        returnFocus={gridRef}
        onClose={() => setEditingScoped(null)}
        onSaved={async (message) => {
          await refresh();
          setEditingScoped(null);
          setAnnouncement(message);
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API key"
        confirmLabel="Revoke key"
        pendingLabel="Working…"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        returnFocus={gridRef}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id, reason: reason.trim() || undefined })}
        description={
          revoking && (
            <>
              <p>
                Revoke <strong className="break-words">{revoking.name}</strong> (<span className="font-mono">{revoking.hint}</span>)? It stops working at once,
                everywhere. The key stays in the list as Revoked.
              </p>
              {revoking.owner && <p>{revoking.owner.username} will be notified by email.</p>}
            </>
          )
        }
      >
        <div>
          <label htmlFor={reasonId} className={fieldLabel}>
            Reason <span className="font-normal text-gray-600">(optional)</span>
          </label>
          <input id={reasonId} type="text" maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} className={`${textInput} mt-1`} />
        </div>
      </ConfirmDialog>

      <ConfirmDialog
        open={deleting !== null}
        title="Delete API key"
        confirmLabel="Delete key"
        pendingLabel="Working…"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        returnFocus={gridRef}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
        description={
          deleting && (
            <>
              <p>
                Delete <strong className="break-words">{deleting.name}</strong> (<span className="font-mono">{deleting.hint}</span>)? It stops working at once
                and is removed from the list. This cannot be undone.
              </p>
              {deleting.owner && <p>{deleting.owner.username} will be notified by email.</p>}
            </>
          )
        }
      />
    </>
  );
}
