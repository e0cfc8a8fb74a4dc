import { useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute } from "@tanstack/react-router";
import { PageHeader } from "../../components/PageHeader";
import { OUTBOX_STATUS_TONES, StatusBadge } from "../../components/StatusBadge";
import { formatDateTime, toDate } from "../../lib/dates";
import { attemptsText, OUTBOX_STATUS_LABELS, outboxIntro } from "../../lib/outbox";
import { focusRing, secondaryButton } from "../../lib/styles";
import { usePageTitle } from "../../lib/use-page-title";
import { useTRPC, type RouterOutputs } from "../../trpc";

type Notice = RouterOutputs["outbox"]["list"]["items"][number];

const LIMIT = 100;

export const Route = createFileRoute("/_authed/outbox")({
  loader: ({ context: { queryClient, trpc } }) => queryClient.ensureQueryData(trpc.outbox.list.queryOptions({ limit: LIMIT })),
  component: OutboxPage,
});

function OutboxPage() {
  usePageTitle("Outbox");
  const trpc = useTRPC();
  const outbox = useSuspenseQuery(trpc.outbox.list.queryOptions({ limit: LIMIT }));
  const { smtpConfigured, items } = outbox.data;

  return (
    <>
      <PageHeader
        title="Outbox"
        description="Notices about your API keys: created, regenerated, revoked, deleted, expiring and expired."
        actions={
          <button type="button" className={secondaryButton} aria-disabled={outbox.isFetching} onClick={() => void outbox.refetch()}>
            Refresh
          </button>
        }
      />
      <p className="mb-6 max-w-prose rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-950">{outboxIntro(smtpConfigured)}</p>

      {items.length === 0 ? (
        <div className="rounded-md border border-dashed border-gray-300 px-4 py-10 text-center">
          <p className="font-medium text-gray-900">No notices yet.</p>
          <p className="mt-1 text-sm text-gray-600">One is written whenever a key is created, regenerated, revoked, deleted or about to expire.</p>
        </div>
      ) : (
        <ol aria-label="Notices, newest first" className="space-y-3">
          {items.map((item) => (
            <NoticeItem key={item.id} item={item} smtpConfigured={smtpConfigured} />
          ))}
        </ol>
      )}
      {items.length === LIMIT && <p className="mt-4 text-sm text-gray-600">Showing the newest {LIMIT} notices.</p>}
    </>
  );
}

function NoticeItem({ item, smtpConfigured }: { item: Notice; smtpConfigured: boolean }) {
  const created = toDate(item.createdAt);
  const attempts = attemptsText(item.attempts);
  return (
    <li className="rounded-md border border-gray-200 bg-white p-4">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <h2 className="font-medium break-words text-gray-900">{item.subject}</h2>
          <p className="mt-0.5 text-sm break-words text-gray-600">
            To <span className="text-gray-900">{item.toAddress}</span>
            <span aria-hidden="true"> · </span>
            <time dateTime={created.toISOString()}>{formatDateTime(created)}</time>
          </p>
        </div>
        <p className="flex shrink-0 flex-wrap items-center gap-2 text-sm text-gray-600">
          <StatusBadge tone={OUTBOX_STATUS_TONES[item.status]}>{OUTBOX_STATUS_LABELS[item.status]}</StatusBadge>
          {attempts && <span>{attempts}</span>}
          {item.sentAt && (
            <span>
              sent <time dateTime={toDate(item.sentAt).toISOString()}>{formatDateTime(item.sentAt)}</time>
            </span>
          )}
          {item.status === "pending" && !smtpConfigured && <span>kept here, not emailed</span>}
        </p>
      </div>
      {item.lastError && (
        <p className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-800">
          <span className="font-medium">Last error:</span> {item.lastError}
        </p>
      )}
      <details className="group mt-3">
        <summary className={`cursor-pointer rounded-sm text-sm font-medium text-blue-700 hover:underline ${focusRing}`}>
          <span className="group-open:hidden">Show message</span>
          <span className="hidden group-open:inline">Hide message</span>
        </summary>
        <pre className="mt-2 overflow-x-auto rounded-md bg-gray-50 p-3 font-mono text-xs whitespace-pre-wrap text-gray-800">{item.body}</pre>
      </details>
    </li>
  );
}
