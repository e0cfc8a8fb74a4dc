import { useQuery } from "@tanstack/react-query";
import { useId, useRef, type ReactNode } from "react";
import { formatBytes, formatDuration, formatLogTime, keyLabel, prettyBody, SURFACE_LABELS } from "../../lib/access-logs/format";
import { errorBox, focusRing, secondaryButton } from "../../lib/styles";
import { errorMessage } from "../../lib/trpc-errors";
import { useTRPC } from "../../trpc";
import { useModalDialog } from "../Modal";
import { HttpStatusBadge } from "../StatusBadge";
import type { LogRow } from "./AccessLogTable";

/**
 * One entry, every field and the logged bodies, in a modal <dialog> (Escape closes it;
 * focus goes back to the row's Details button). A sheet from the side on wide screens,
 * the whole screen on phones. The row's fields show at once; the bodies are fetched.
 */
export function EntryDetails({ row, onClose, returnFocus }: { row: LogRow | null; onClose: () => void; returnFocus: () => HTMLElement | null }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  // Focus goes back to the row's Details button even when the row itself was clicked.
  const ref = useModalDialog(row !== null, { initialFocus: () => closeRef.current, restoreFocus: returnFocus });

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its panel) closes it.
        if (event.target === event.currentTarget) onClose();
      }}
      className="m-0 ml-auto h-dvh max-h-dvh w-full max-w-2xl overflow-hidden border-l border-gray-200 bg-white p-0 text-gray-900 shadow-xl backdrop:bg-gray-950/40"
    >
      <div className="flex h-full flex-col">
        <div className="flex items-center justify-between gap-3 border-b border-gray-200 px-4 py-3">
          <h2 id={titleId} className="text-lg font-semibold">
            Entry details
          </h2>
          <button ref={closeRef} type="button" className={secondaryButton} onClick={onClose}>
            Close
          </button>
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto px-4 py-4">{row && <EntryBody row={row} />}</div>
      </div>
    </dialog>
  );
}

function EntryBody({ row }: { row: LogRow }) {
  const trpc = useTRPC();
  const entry = useQuery({ ...trpc.logs.get.queryOptions({ id: row.id }), staleTime: Infinity });
  const time = formatLogTime(row.at);
  const key = keyLabel(row);

  const fields: [string, ReactNode][] = [
    ["Entry", <span className="font-mono">{row.id}</span>],
    [
      "Time",
      <time dateTime={time.iso}>
        {time.day}, {time.time} <span className="block font-mono text-xs text-gray-500">{time.iso}</span>
      </time>,
    ],
    [
      "Key",
      <>
        <span className={key.failed ? "text-red-800 italic" : "font-medium"}>{key.name}</span>
        {key.hint && <span className="ml-2 font-mono text-xs text-gray-600">{key.hint}</span>}
        {row.keyId !== null && <span className="block text-xs text-gray-500">Key ID {row.keyId}</span>}
      </>,
    ],
    ["Key status", row.keyStatus],
    ["User", row.username ?? "None"],
    ["API", SURFACE_LABELS[row.surface] ?? row.surface],
    ["Feed", row.feed ?? "None"],
    ["Method", <span className="font-mono">{row.method}</span>],
    ["Path", <span className="font-mono break-all">{row.path}</span>],
    ["Status", <HttpStatusBadge status={row.status} />],
    ["Duration", formatDuration(row.durationMs)],
    ["IP", <span className="font-mono break-all">{row.ip ?? "Unknown"}</span>],
    ["User agent", <span className="break-all">{row.userAgent ?? "None"}</span>],
    ["Bytes in", `${formatBytes(row.bytesIn)} (${row.bytesIn.toLocaleString()} bytes)`],
    ["Bytes out", `${formatBytes(row.bytesOut)} (${row.bytesOut.toLocaleString()} bytes)`],
  ];

  return (
    <>
      <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-x-3 gap-y-2 text-sm sm:grid-cols-[8rem_minmax(0,1fr)] sm:gap-x-4">
        {fields.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="font-medium text-gray-600">{term}</dt>
            <dd className="min-w-0 text-gray-900">{value}</dd>
          </div>
        ))}
      </dl>
      <h3 className="sr-only">Bodies</h3>
      {entry.isPending ? (
        <p role="status" className="mt-6 text-sm text-gray-600">
          Loading the logged bodies…
        </p>
      ) : entry.isError ? (
        <p role="alert" className={`${errorBox} mt-6`}>
          {errorMessage(entry.error)}
        </p>
      ) : (
        <>
          <Body label="Request body" text={entry.data.requestBody} />
          <Body label="Response body" text={entry.data.responseBody} />
        </>
      )}
    </>
  );
}

function Body({ label, text }: { label: string; text: string | null }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="mt-6">
      <h3 id={id} className="mb-1.5 text-sm font-semibold text-gray-900">
        {label}
      </h3>
      {text === null ? (
        <p className="rounded-md border border-dashed border-gray-300 px-3 py-2 text-sm text-gray-600">Not logged for this key</p>
      ) : (
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <pre
          tabIndex={0}
          aria-labelledby={id}
          className={`max-h-80 overflow-auto rounded-md border border-gray-200 bg-gray-50 p-3 font-mono text-xs break-normal whitespace-pre text-gray-900 ${focusRing}`}
        >
          {prettyBody(text)}
        </pre>
      )}
    </section>
  );
}
