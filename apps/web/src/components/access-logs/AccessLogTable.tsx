import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useSyncExternalStore, type KeyboardEvent } from "react";
import { formatDuration, formatLogTime, keyLabel } from "../../lib/access-logs/format";
import { focusRing } from "../../lib/styles";
import type { RouterOutputs } from "../../trpc";
import { NoneMark } from "../NoneMark";
import { HttpStatusBadge } from "../StatusBadge";

export type LogRow = RouterOutputs["logs"]["list"]["rows"][number];

export function KeyCell({ row }: { row: LogRow }) {
  const k = keyLabel(row);
  return (
    <>
      <span className={`block truncate ${k.failed ? "text-red-800 italic" : "font-medium text-gray-900"}`} title={k.name}>
        {k.name}
        {k.note && <span className="ml-1.5 rounded bg-gray-100 px-1 text-xs font-normal text-gray-700 not-italic">{k.note}</span>}
      </span>
      {k.hint && <span className="block truncate font-mono text-xs text-gray-500">{k.hint}</span>}
    </>
  );
}

function SummaryCell({ row }: { row: LogRow }) {
  const t = formatLogTime(row.at);
  const k = keyLabel(row);
  return (
    <>
      <span className="flex min-w-0 items-center gap-1.5">
        <HttpStatusBadge status={row.status} />
        <span className="font-mono text-xs font-semibold text-gray-800">{row.method}</span>
        <span className="truncate font-mono text-xs text-gray-800" title={row.path}>
          {row.path}
        </span>
      </span>
      <span className="mt-0.5 block truncate text-xs text-gray-600">
        <time dateTime={t.iso} title={t.day}>
          {t.shortDay}, {t.time}
        </time>
        {" · "}
        <span className={k.failed ? "text-red-800 italic" : undefined}>{k.name}</span>
        {row.username && ` · ${row.username}`}
      </span>
    </>
  );
}

const WIDE = "(min-width: 768px)";
function subscribeWide(onChange: () => void) {
  const query = window.matchMedia(WIDE);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}
/** Whether the screen has room for every column. */
function useWide(): boolean {
  return useSyncExternalStore(
    subscribeWide,
    () => window.matchMedia(WIDE).matches,
    () => true,
  );
}

/** Column IDs (an accessor column's is its field). */
const COLUMN_IDS = ["at", "key", "username", "method", "path", "status", "durationMs", "ip", "summary", "details"] as const;
const NARROW_COLUMNS: ReadonlySet<string> = new Set(["summary", "details"]);
const WIDE_VISIBILITY = Object.fromEntries(COLUMN_IDS.map((id) => [id, id !== "summary"]));
const NARROW_VISIBILITY = Object.fromEntries(COLUMN_IDS.map((id) => [id, NARROW_COLUMNS.has(id)]));

const col = createColumnHelper<LogRow>();

/** Widths in pixels; Path takes what is left (the table is table-layout: fixed, so rows never make columns jump while scrolling). */
function columns(onDetails: (row: LogRow, opener: HTMLElement) => void) {
  return [
    col.accessor("at", {
      header: "Time",
      size: 146,
      cell: (c) => {
        const t = formatLogTime(c.getValue());
        return (
          <time dateTime={t.iso} title={t.iso} className="block whitespace-nowrap">
            <span className="block text-gray-900">{t.day}</span>
            <span className="block text-xs text-gray-500 tabular-nums">{t.time}</span>
          </time>
        );
      },
    }),
    col.display({ id: "key", header: "Key", size: 180, cell: (c) => <KeyCell row={c.row.original} /> }),
    col.accessor("username", {
      header: "User",
      size: 108,
      cell: (c) =>
        c.getValue() ? (
          <span className="block truncate" title={c.getValue() ?? undefined}>
            {c.getValue()}
          </span>
        ) : (
          <NoneMark />
        ),
    }),
    col.accessor("method", { header: "Method", size: 78, cell: (c) => <span className="font-mono text-xs font-semibold text-gray-800">{c.getValue()}</span> }),
    col.accessor("path", {
      header: "Path",
      size: 0,
      cell: (c) => (
        <span className="line-clamp-2 font-mono text-xs break-all text-gray-800" title={c.getValue()}>
          {c.getValue()}
        </span>
      ),
    }),
    col.accessor("status", { header: "Status", size: 72, cell: (c) => <HttpStatusBadge status={c.getValue()} /> }),
    col.accessor("durationMs", {
      header: "Duration",
      size: 84,
      cell: (c) => <span className="whitespace-nowrap tabular-nums">{formatDuration(c.getValue())}</span>,
    }),
    col.accessor("ip", {
      header: "IP",
      size: 124,
      cell: (c) =>
        c.getValue() ? (
          <span className="block truncate font-mono text-xs" title={c.getValue() ?? undefined}>
            {c.getValue()}
          </span>
        ) : (
          <NoneMark />
        ),
    }),
    // Phones: one column saying what matters (the other columns are in the details).
    col.display({
      id: "summary",
      header: "Request",
      size: 0,
      cell: (c) => <SummaryCell row={c.row.original} />,
    }),
    col.display({
      id: "details",
      header: () => <span className="sr-only">Details</span>,
      size: 84,
      cell: (c) => (
        <button
          type="button"
          data-details-index={c.row.index}
          className={`inline-flex items-center rounded-md border border-gray-300 bg-white px-2 py-1 text-xs font-medium whitespace-nowrap text-gray-800 shadow-xs hover:bg-gray-50 ${focusRing}`}
          onClick={(e) => {
            e.stopPropagation();
            onDetails(c.row.original, e.currentTarget);
          }}
        >
          Details
          <span className="sr-only">
            {" "}
            of the {c.row.original.method} request at {formatLogTime(c.row.original.at).time}
          </span>
        </button>
      ),
    }),
  ];
}

const ROW_HEIGHT = 53;
const MIN_PATH_WIDTH = 200;

/**
 * The entries as a real table (headers, row and column counts for screen readers), with
 * only the rows in view rendered: spacer rows above and below stand for the rest. The
 * box scrolls both ways; its header row stays put. Nearing the end asks for more.
 */
export function AccessLogTable({
  rows,
  selectedId,
  onDetails,
  hasMore,
  loadingMore,
  onLoadMore,
  label,
  resetKey,
}: {
  rows: LogRow[];
  selectedId: number | null;
  onDetails: (row: LogRow, opener: HTMLElement) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  label: string;
  /** When this changes (other filters), the box scrolls back to the newest entry. */
  resetKey: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const onDetailsRef = useRef(onDetails);
  onDetailsRef.current = onDetails;
  const cols = useMemo(() => columns((row, opener) => onDetailsRef.current(row, opener)), []);
  const wide = useWide();
  const table = useReactTable({
    data: rows,
    columns: cols,
    state: { columnVisibility: wide ? WIDE_VISIBILITY : NARROW_VISIBILITY },
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
  });
  const tableRows = table.getRowModel().rows;

  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => tableRows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const total = virtualizer.getTotalSize();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? total - items[items.length - 1]!.end : 0;

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [resetKey]);

  const lastIndex = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= tableRows.length - 15) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, tableRows.length, onLoadMore]);

  // Up and Down move between rows' Details buttons, scrolling rows into view as needed.
  // A key pressed before the last move has landed counts from where that move is going.
  const movingTo = useRef<number | null>(null);
  function onKeyDown(event: KeyboardEvent<HTMLTableSectionElement>) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const from = (event.target as HTMLElement).closest<HTMLElement>("[data-details-index]");
    if (!from) return;
    const base = movingTo.current ?? Number(from.dataset.detailsIndex);
    const next = base + (event.key === "ArrowDown" ? 1 : -1);
    event.preventDefault();
    if (next < 0 || next >= tableRows.length) return;
    movingTo.current = next;
    virtualizer.scrollToIndex(next, { align: "auto" });
    const focus = (tries: number) => {
      if (movingTo.current !== next) return; // a newer move took over
      const button = scrollRef.current?.querySelector<HTMLElement>(`[data-details-index="${next}"]`);
      if (button) {
        button.focus();
        movingTo.current = null;
      } else if (tries > 0) requestAnimationFrame(() => focus(tries - 1));
      else movingTo.current = null;
    };
    focus(10);
  }

  const visible = table.getVisibleLeafColumns();
  const fixed = visible.reduce((sum, c) => sum + (c.columnDef.size ?? 0), 0);
  const colCount = visible.length;
  const th =
    "sticky top-0 z-10 border-b border-gray-200 bg-gray-50 px-2.5 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-gray-600 uppercase first:pl-3";

  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <div
      ref={scrollRef}
      role="region"
      aria-label={label}
      tabIndex={0}
      className={`relative max-h-[min(70vh,44rem)] overflow-auto overscroll-contain rounded-md border border-gray-200 bg-white ${focusRing}`}
    >
      <table
        className="w-full table-fixed border-separate border-spacing-0 text-sm"
        style={{ minWidth: wide ? fixed + MIN_PATH_WIDTH : undefined }}
        aria-rowcount={tableRows.length + 1}
      >
        <colgroup>
          {visible.map((c) => (
            <col key={c.id} style={c.columnDef.size ? { width: c.columnDef.size } : undefined} />
          ))}
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1}>
              {group.headers.map((h) => (
                <th key={h.id} scope="col" className={th}>
                  {flexRender(h.column.columnDef.header, h.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody onKeyDown={onKeyDown}>
          {padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={colCount} style={{ height: padTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = tableRows[item.index]!;
            const selected = row.original.id === selectedId;
            return (
              <tr
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                aria-rowindex={item.index + 2}
                className={`cursor-pointer ${selected ? "bg-blue-50" : "hover:bg-gray-50"}`}
                onClick={(e) => {
                  // A click anywhere on the row opens it, unless it was selecting text.
                  if (window.getSelection()?.toString()) return;
                  const button = e.currentTarget.querySelector<HTMLElement>("[data-details-index]");
                  if (button) onDetails(row.original, button);
                }}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="h-[53px] overflow-hidden border-b border-gray-100 px-2.5 py-1.5 align-middle text-gray-800 first:pl-3">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={colCount} style={{ height: padBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
      {hasMore && (
        <p className="sticky left-0 px-3 py-2 text-xs text-gray-500" aria-hidden="true">
          {loadingMore ? "Loading older entries…" : "Scroll for older entries"}
        </p>
      )}
    </div>
  );
}
