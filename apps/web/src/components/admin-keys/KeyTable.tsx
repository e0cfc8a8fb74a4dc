import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from "@tanstack/react-table";
import { useMemo } from "react";
import type { AdminKeyRow } from "../../lib/admin-keys/format";
import type { SortKey } from "../../lib/admin-keys/search";
import { focusRing } from "../../lib/styles";
import {
  ApisCell,
  ExpiresCell,
  FeedsCell,
  KeyActions,
  KindCell,
  LastUsedCell,
  NameCell,
  OwnerCell,
  StatusCell,
  UnusedRightsCell,
  UserCell,
  When,
  type KeyListProps,
} from "./cells";

const SORTABLE = new Set<string>(["name", "created", "expires", "lastUsed"] satisfies SortKey[]);
/** The direction a column sorts in when first chosen: names A–Z, soonest expiry first, dates newest first. */
export const FIRST_DIR: Record<SortKey, "asc" | "desc"> = { name: "asc", expires: "asc", created: "desc", lastUsed: "desc" };

const column = createColumnHelper<AdminKeyRow>();

/** ProGet's key grid: one page of keys, sorted and paged by the server. */
export function KeyTable({ rows, search, onSort, actions, busy }: KeyListProps) {
  const columns = useMemo(
    () => [
      column.accessor("name", { id: "name", header: "Name / hint", cell: ({ row }) => <NameCell k={row.original} /> }),
      column.accessor("kind", { header: "Kind", cell: ({ row }) => <KindCell k={row.original} /> }),
      column.display({ id: "owner", header: "Owner", cell: ({ row }) => <OwnerCell k={row.original} /> }),
      column.display({ id: "user", header: "User", cell: ({ row }) => <UserCell k={row.original} /> }),
      column.accessor("apis", { header: "APIs", cell: ({ row }) => <ApisCell k={row.original} /> }),
      column.accessor("feeds", { header: "Feeds", cell: ({ row }) => <FeedsCell k={row.original} /> }),
      column.accessor("status", { header: "Status", cell: ({ row }) => <StatusCell k={row.original} /> }),
      column.accessor("createdAt", { id: "created", header: "Created", cell: ({ getValue }) => <When value={getValue()} /> }),
      column.accessor("expiresAt", { id: "expires", header: "Expires", cell: ({ row }) => <ExpiresCell k={row.original} /> }),
      column.accessor("lastUsedAt", { id: "lastUsed", header: "Last used", cell: ({ row }) => <LastUsedCell k={row.original} /> }),
      column.display({ id: "unusedRights", header: "Unused rights", cell: ({ row }) => <UnusedRightsCell k={row.original} /> }),
      column.display({
        id: "actions",
        header: () => <span className="sr-only">Actions</span>,
        cell: ({ row }) => (
          <KeyActions k={row.original} actions={actions} className="grid w-max grid-cols-2 justify-items-start gap-x-1.5 gap-y-0.5" keepPlaces />
        ),
      }),
    ],
    [actions],
  );

  const sorting: SortingState = [{ id: search.sort, desc: search.dir === "desc" }];
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => String(row.id),
    manualSorting: true,
    manualPagination: true,
    enableSortingRemoval: false,
    state: { sorting },
  });

  const cellPad = (i: number, last: boolean) => (i === 0 ? "pl-3 pr-2" : last ? "pl-2 pr-3" : "px-2");
  return (
    <table aria-busy={busy || undefined} className="min-w-full divide-y divide-gray-200 text-sm">
      <caption className="sr-only">
        API keys, sorted by {search.sort === "lastUsed" ? "last used" : search.sort}, {search.dir === "asc" ? "ascending" : "descending"}
      </caption>
      <thead className="bg-gray-50">
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header, i) => {
              const id = header.column.id;
              const sortable = SORTABLE.has(id);
              const active = sortable && search.sort === id;
              const ariaSort = active ? (search.dir === "asc" ? "ascending" : "descending") : sortable ? "none" : undefined;
              return (
                <th
                  key={header.id}
                  scope="col"
                  aria-sort={ariaSort}
                  className={`${cellPad(i, i === group.headers.length - 1)} py-2.5 text-left font-semibold whitespace-nowrap text-gray-900`}
                >
                  {sortable ? (
                    <button
                      type="button"
                      onClick={() => {
                        const key = id as SortKey;
                        onSort(key, active ? (search.dir === "asc" ? "desc" : "asc") : FIRST_DIR[key]);
                      }}
                      className={`-mx-1 inline-flex items-center gap-1 rounded-sm px-1 hover:text-blue-700 ${focusRing}`}
                    >
                      {flexRender(header.column.columnDef.header, header.getContext())}
                      <SortIcon state={active ? search.dir : null} />
                    </button>
                  ) : (
                    flexRender(header.column.columnDef.header, header.getContext())
                  )}
                </th>
              );
            })}
          </tr>
        ))}
      </thead>
      <tbody className={`divide-y divide-gray-200 bg-white ${busy ? "opacity-60" : ""}`}>
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id} className={row.original.revokedAt ? "text-gray-500" : "text-gray-800"}>
            {row.getVisibleCells().map((cell, i, cells) => (
              <td key={cell.id} className={`${cellPad(i, i === cells.length - 1)} py-2.5 align-top ${i === 0 ? "max-w-60 min-w-36" : ""}`}>
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SortIcon({ state }: { state: "asc" | "desc" | null }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 12 12" className={`size-3 ${state ? "text-gray-900" : "text-gray-400"}`} fill="currentColor">
      {state !== "desc" && <path d="M6 1.5 9 5H3z" />}
      {state !== "asc" && <path d="M6 10.5 3 7h6z" />}
    </svg>
  );
}
