import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { flattenPages, formatLogTime, mergeNewerEntries, type LogPages } from "../../lib/access-logs/format";
import { accessLogListOptions } from "../../lib/access-logs/query";
import { continueSearch, searchProgress, stoppedEarly, type SearchStretch } from "../../lib/access-logs/scan";
import { exportUrl, hasFilters, listInput, type AccessLogSearch, type ViewerMode } from "../../lib/access-logs/search";
import { errorBox, focusRing, secondaryButton } from "../../lib/styles";
import { errorMessage } from "../../lib/trpc-errors";
import { usePageTitle } from "../../lib/use-page-title";
import { useTRPC, type RouterOutputs } from "../../trpc";
import { LoadError } from "../LoadError";
import { PageHeader } from "../PageHeader";
import { AccessLogFilters, type SetSearch } from "./AccessLogFilters";
import { AccessLogTable, type LogRow } from "./AccessLogTable";
import { EntryDetails } from "./EntryDetails";
import { useLiveTail } from "./useLiveTail";
import { liveStreamUrl, prependLiveRows } from "../../lib/access-logs/live";

export type { SetSearch };

const AUTO_REFRESH_MS = 5_000;

type ListPage = RouterOutputs["logs"]["list"];

const TEXT = {
  admin: {
    title: "Admin › Access logs",
    description: "Every request made with an API key, failed attempts included: who, what, when, from where, and how it was answered.",
    table: "Access-log entries",
    empty: "No requests have been made with an API key yet.",
  },
  account: {
    title: "Access logs",
    description: "Requests made with your API keys: what was asked, from where, and how it was answered.",
    table: "Access-log entries of your keys",
    empty: "None of your keys has been used yet. Requests made with them appear here.",
  },
} as const;

/**
 * The access-log viewer of Admin › Access logs (every entry) and Account › Access logs
 * (entries of the viewer's own keys). The filters live in the URL (the route owns them);
 * everything else here is view state.
 */
export function AccessLogViewer({ mode, search, setSearch }: { mode: ViewerMode; search: AccessLogSearch; setSearch: SetSearch }) {
  const text = TEXT[mode];
  usePageTitle(text.title);
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  const options = accessLogListOptions(trpc, search, mode);
  const list = useInfiniteQuery({ ...options, placeholderData: keepPreviousData });
  const rows = useMemo(() => flattenPages(list.data), [list.data]);

  const keys = useQuery({ ...trpc.keys.list.queryOptions(), enabled: mode === "account" });
  const keyOptions = useMemo(() => keys.data?.map((k) => ({ id: k.id, name: k.name, hint: k.hint })), [keys.data]);

  // ---- Refresh: newer entries go on top of what is loaded (see mergeNewerEntries) ----
  const [autoRefresh, setAutoRefresh] = useState(false);
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [checkedAt, setCheckedAt] = useState<Date | null>(null);
  const inFlight = useRef(false);
  const queryKey = options.queryKey;
  const input = listInput(search, mode);
  const inputRef = useRef(input);
  inputRef.current = input;

  const refreshFirstPage = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setRefreshing(true);
    try {
      const fresh = await queryClient.fetchQuery({ ...trpc.logs.list.queryOptions(inputRef.current), staleTime: 0, gcTime: 0 });
      queryClient.setQueryData(queryKey, (current) => mergeNewerEntries<LogRow>(current as LogPages<LogRow> | undefined, fresh as ListPage) as typeof current);
      setRefreshError(null);
      setCheckedAt(new Date());
    } catch (error) {
      setRefreshError(errorMessage(error));
    } finally {
      inFlight.current = false;
      setRefreshing(false);
    }
    // queryKey is a new array each render; its hash is what identifies it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryClient, trpc, JSON.stringify(queryKey)]);

  useEffect(() => {
    if (!autoRefresh) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void refreshFirstPage();
    }, AUTO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [autoRefresh, refreshFirstPage]);

  // ---- Live: new entries streamed on top (useLiveTail) ----
  const [live, setLive] = useState(false);
  const [livePaused, setLivePaused] = useState(false);
  const onLiveRows = useCallback(
    (fresh: LogRow[]) =>
      queryClient.setQueryData(queryKey, (current) => prependLiveRows<LogRow>(current as LogPages<LogRow> | undefined, fresh) as typeof current),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [queryClient, JSON.stringify(queryKey)],
  );
  const onLiveGap = useCallback(() => void refreshFirstPage(), [refreshFirstPage]);
  const liveTail = useLiveTail<LogRow>({ url: liveStreamUrl(search, mode), enabled: live, paused: livePaused, onRows: onLiveRows, onGap: onLiveGap });

  // ---- The detail panel ----
  const tableId = useId();
  const [selected, setSelected] = useState<LogRow | null>(null);
  const opener = useRef<{ id: number; element: HTMLElement } | null>(null);
  const openDetails = useCallback((row: LogRow, element: HTMLElement) => {
    opener.current = { id: row.id, element };
    setSelected(row);
  }, []);
  const returnFocus = useCallback(() => {
    const o = opener.current;
    if (!o) return null;
    if (o.element.isConnected) return o.element;
    return document.getElementById(tableId);
  }, [tableId]);

  // ---- Loading older entries ----
  // A page may stop searching before it is full (scannedTo; see lib/access-logs/scan.ts).
  // Then the next pages are searched for by themselves — the table asks while its rows do
  // not fill the box, the effect below while there are none — for AUTO_SEARCH_MS at a
  // stretch; after that, "Search further" searches on.
  const keyHash = JSON.stringify(queryKey);
  const fetchNextPage = useRef(list.fetchNextPage);
  fetchNextPage.current = list.fetchNextPage;
  const lastPage = list.data?.pages[list.data.pages.length - 1];
  const searchingOn = useRef(false);
  searchingOn.current = !list.isPlaceholderData && stoppedEarly(lastPage);
  const stretch = useRef<(SearchStretch & { key: string }) | null>(null);
  const keyRef = useRef(keyHash);
  keyRef.current = keyHash;
  /** The search stopped by itself for these filters (the key hash), until "Search further". */
  const [pausedFor, setPausedFor] = useState<string | null>(null);
  const paused = pausedFor === keyHash;

  const loadMore = useCallback(async (further = false) => {
    const key = keyRef.current;
    if (searchingOn.current) {
      const now = Date.now();
      const current = stretch.current?.key === key ? stretch.current : null;
      const next = further ? { start: now, lastEnd: now } : continueSearch(current, now);
      if (!next) {
        setPausedFor(key);
        return;
      }
      stretch.current = { ...next, key };
      setPausedFor((p) => (p === key ? null : p));
    } else stretch.current = null;
    await fetchNextPage.current();
    if (stretch.current?.key === key) stretch.current = { ...stretch.current, lastEnd: Date.now() };
  }, []);
  const onLoadMore = useCallback(() => void loadMore(), [loadMore]);
  const searchFurther = useCallback(() => void loadMore(true), [loadMore]);

  const progress = searchProgress(list.data, paused);
  const searching = progress.kind === "searching" || progress.kind === "partial";
  // With no rows there is no table to ask for more: search on from here.
  const autoSearch = progress.kind === "searching" && rows.length === 0 && !list.isPlaceholderData && !list.isFetching && !list.isError;
  useEffect(() => {
    if (autoSearch) void loadMore();
  }, [autoSearch, lastPage, loadMore]);

  const filtered = hasFilters(search);
  const updating = list.isPlaceholderData && list.isFetching;
  const scannedTo = searching && progress.scannedTo ? formatLogTime(progress.scannedTo) : null;
  const scannedToText = scannedTo && (
    <time dateTime={scannedTo.iso}>
      {scannedTo.day}, {scannedTo.time}
    </time>
  );

  const countText = list.isPending
    ? "Loading entries…"
    : rows.length === 0
      ? list.hasNextPage
        ? "No entries found so far."
        : "No entries."
      : `${rows.length.toLocaleString()} ${rows.length === 1 ? "entry" : "entries"}${list.hasNextPage ? " loaded, newest first; older entries follow" : ", newest first"}.`;

  return (
    <>
      <PageHeader
        title="Access logs"
        description={text.description}
        actions={
          <>
            <a href={exportUrl("csv", search, mode)} className={secondaryButton} download>
              Export CSV
            </a>
            <a href={exportUrl("ndjson", search, mode)} className={secondaryButton} download>
              Export NDJSON
            </a>
          </>
        }
      />

      <AccessLogFilters mode={mode} search={search} setSearch={setSearch} keys={keyOptions} />

      <div className="mb-2 flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <p role="status" className="text-sm text-gray-700">
          {updating ? "Updating…" : countText}
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <label className="inline-flex items-center gap-2 text-sm text-gray-800">
            <input
              type="checkbox"
              checked={autoRefresh}
              onChange={(e) => {
                setAutoRefresh(e.target.checked);
                if (e.target.checked) void refreshFirstPage();
              }}
              className={`size-4 rounded border-gray-300 accent-green-700 ${focusRing}`}
              aria-describedby={`${tableId}-auto`}
            />
            Auto-refresh
          </label>
          <span id={`${tableId}-auto`} className="sr-only">
            Checks for new entries every 5 seconds
          </span>
          <label className="inline-flex items-center gap-2 text-sm text-gray-800">
            <input
              type="checkbox"
              role="switch"
              checked={live}
              onChange={(e) => {
                setLive(e.target.checked);
                setLivePaused(false);
                if (e.target.checked) void refreshFirstPage();
              }}
              className={`size-4 rounded border-gray-300 accent-green-700 ${focusRing}`}
            />
            Live
          </label>
          {live && (
            <>
              <span className="text-sm text-gray-700" aria-live="polite">
                {liveTail.state === "live"
                  ? livePaused
                    ? "Paused"
                    : "Streaming new entries"
                  : liveTail.state === "reconnecting"
                    ? "Reconnecting…"
                    : "Connecting…"}
              </span>
              <button type="button" className={secondaryButton} onClick={() => setLivePaused((p) => !p)}>
                {livePaused ? "Resume" : "Pause"}
              </button>
              {liveTail.waiting > 0 && (
                <button type="button" className={secondaryButton} onClick={liveTail.showAll}>
                  {liveTail.waiting.toLocaleString()} more
                </button>
              )}
            </>
          )}
          <button type="button" className={secondaryButton} onClick={() => void refreshFirstPage()} disabled={refreshing}>
            {refreshing ? "Refreshing…" : "Refresh"}
          </button>
        </div>
      </div>
      {refreshError && (
        <p role="alert" className={`${errorBox} mb-2`}>
          Could not check for new entries: {refreshError}
        </p>
      )}
      {checkedAt && autoRefresh && <p className="sr-only">Last checked at {checkedAt.toLocaleTimeString()}</p>}

      {list.isError && !list.data ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <div className="rounded-md border border-gray-200 px-4 py-10 text-center text-sm text-gray-600">Loading entries…</div>
      ) : rows.length === 0 && searching ? (
        <div className="rounded-md border border-dashed border-gray-300 px-4 py-10 text-center">
          <p aria-live="polite" className="font-medium text-gray-900">
            {progress.kind === "searching" ? (
              <>Searching…{scannedToText && <> back to {scannedToText}</>}</>
            ) : (
              <>{scannedToText ? <>Searched back to {scannedToText}</> : "Searched part of the log"} — 0 found so far.</>
            )}
          </p>
          <p className="mt-1 text-sm text-gray-600">Older entries are still to be searched.</p>
          {(progress.kind === "partial" || list.isFetchNextPageError) && (
            <button type="button" className={`${secondaryButton} mt-3`} onClick={searchFurther} disabled={list.isFetchingNextPage}>
              Search further
            </button>
          )}
          {list.isFetchNextPageError && (
            <p role="alert" className="mt-2 text-sm text-red-800">
              {errorMessage(list.error)}
            </p>
          )}
        </div>
      ) : rows.length === 0 ? (
        <div className="rounded-md border border-dashed border-gray-300 px-4 py-10 text-center">
          <p className="font-medium text-gray-900">{filtered ? "No entries match these filters." : "No entries yet."}</p>
          <p className="mt-1 text-sm text-gray-600">{filtered ? "Try a wider time range or fewer filters." : text.empty}</p>
          {filtered && (
            <button type="button" className={`${secondaryButton} mt-3`} onClick={() => setSearch({})}>
              Clear filters
            </button>
          )}
        </div>
      ) : (
        <div id={tableId} tabIndex={-1} className={`focus:outline-none ${updating ? "opacity-60 transition-opacity" : ""}`}>
          <AccessLogTable
            rows={rows}
            selectedId={selected?.id ?? null}
            onDetails={openDetails}
            hasMore={list.hasNextPage && !list.isPlaceholderData && !paused}
            loadingMore={list.isFetchingNextPage}
            onLoadMore={onLoadMore}
            label={text.table}
            resetKey={JSON.stringify(search)}
          />
          <div className="mt-3 flex flex-wrap items-center gap-3">
            {searching ? (
              <>
                <p className="text-sm text-gray-700">
                  {scannedToText ? <>Searched back to {scannedToText}</> : "Searched part of the log"} — {progress.found.toLocaleString()} found so far.
                </p>
                <button type="button" className={secondaryButton} onClick={searchFurther} disabled={list.isFetchingNextPage}>
                  Search further
                </button>
              </>
            ) : list.hasNextPage ? (
              <button type="button" className={secondaryButton} onClick={onLoadMore} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            ) : (
              <p className="text-sm text-gray-600">That is every entry{filtered ? " that matches" : ""}.</p>
            )}
            {list.isFetchNextPageError && (
              <p role="alert" className="text-sm text-red-800">
                {errorMessage(list.error)}
              </p>
            )}
          </div>
        </div>
      )}

      <EntryDetails row={selected} onClose={() => setSelected(null)} returnFocus={returnFocus} />
    </>
  );
}
