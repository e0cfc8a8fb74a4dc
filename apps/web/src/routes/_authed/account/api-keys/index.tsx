import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import { useRef, useState, type ReactNode } from "react";
import { ConfirmDialog } from "../../../../components/ConfirmDialog";
import { KeyReveal } from "../../../../components/keys/KeyReveal";
import { NoneMark } from "../../../../components/NoneMark";
import { PageHeader } from "../../../../components/PageHeader";
import { MAIN_CONTENT_ID } from "../../../../components/SkipLink";
import { TableScroller } from "../../../../components/TableScroller";
import { formatDate, formatDateTime, formatTime, toDate, type DateLike } from "../../../../lib/dates";
import { activeLegacyKeyCount, rowActions, scopeLabels, summarizePackages, type RowAction } from "../../../../lib/keys";
import { focusRing, primaryButton, secondaryButton, textInput, textLink } from "../../../../lib/styles";
import { errorMessage } from "../../../../lib/trpc-errors";
import { usePageTitle } from "../../../../lib/use-page-title";
import { useTRPC, type RouterOutputs } from "../../../../trpc";

type KeyView = RouterOutputs["keys"]["list"][number];

export const Route = createFileRoute("/_authed/account/api-keys/")({
  loader: ({ context: { queryClient, trpc } }) => queryClient.ensureQueryData(trpc.keys.list.queryOptions()),
  component: AccountApiKeysPage,
});

type Confirming = { action: "revoke" | "delete" | "regenerate"; key: KeyView } | { action: "revokeAllLegacy" };

function AccountApiKeysPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useSuspenseQuery(trpc.keys.list.queryOptions()).data;

  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [reason, setReason] = useState("");
  const [notice, setNotice] = useState("");
  // A regenerated key's value lives here and nowhere else; "Done", leaving or reloading drops it.
  const [revealed, setRevealed] = useState<{ name: string; value: string } | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  usePageTitle(revealed ? "API key regenerated" : "API keys");

  const listKey = trpc.keys.list.queryKey();
  const refreshList = () => queryClient.invalidateQueries({ queryKey: listKey });
  // Updated in place first so a row's buttons change (or the row goes) as the dialog closes.
  const replaceKey = (next: KeyView) => queryClient.setQueryData(listKey, (old) => old?.map((k) => (k.id === next.id ? next : k)));
  const dropKey = (id: number) => queryClient.setQueryData(listKey, (old) => old?.filter((k) => k.id !== id));

  const finish = (message: string) => {
    setConfirming(null);
    setReason("");
    setNotice(message);
    void refreshList();
  };

  const revoke = useMutation(
    trpc.keys.revoke.mutationOptions({
      onSuccess: (key) => {
        replaceKey(key);
        finish(`Key “${key.name}” revoked.`);
      },
    }),
  );
  const remove = useMutation(trpc.keys.delete.mutationOptions());
  const revokeAllLegacy = useMutation(
    trpc.keys.revokeAllLegacy.mutationOptions({
      onSuccess: ({ revoked }) => finish(revoked === 1 ? "Revoked 1 legacy key." : `Revoked ${revoked} legacy keys.`),
    }),
  );
  const regenerate = useMutation(
    trpc.keys.regenerate.mutationOptions({
      // Not kept in the mutation cache once nobody observes it...
      gcTime: 0,
      onSuccess: ({ key, value }) => {
        setRevealed({ name: key.name, value });
        // ...and the observer lets go of it at once, so only our state has the value.
        regenerate.reset();
        replaceKey(key);
        finish("");
      },
    }),
  );

  const active = confirming === null ? null : { revoke, delete: remove, regenerate, revokeAllLegacy }[confirming.action];

  function confirm() {
    if (!confirming) return;
    if (confirming.action === "revokeAllLegacy") revokeAllLegacy.mutate();
    else if (confirming.action === "revoke") revoke.mutate({ id: confirming.key.id, reason: reason.trim() || undefined });
    else if (confirming.action === "regenerate") regenerate.mutate({ id: confirming.key.id });
    else {
      const { id, name } = confirming.key;
      remove.mutate(
        { id },
        {
          onSuccess: () => {
            dropKey(id);
            finish(`Key “${name}” deleted.`);
          },
        },
      );
    }
  }

  function open(next: Confirming) {
    for (const mutation of [revoke, remove, regenerate, revokeAllLegacy]) mutation.reset();
    setReason("");
    setNotice("");
    setConfirming(next);
  }

  function cancel() {
    setConfirming(null);
    // A failure may mean the list changed elsewhere (deleted in another tab): show what is there now.
    if (active?.isError) void refreshList();
  }

  const legacyCount = activeLegacyKeyCount(keys);

  return (
    <>
      {/* First in the tree, so its focus handling on close runs before the reveal takes focus. */}
      <ConfirmDialog
        open={confirming !== null}
        {...dialogText(confirming, keys)}
        pending={active?.isPending ?? false}
        error={active?.isError ? errorMessage(active.error) : null}
        onConfirm={confirm}
        onCancel={cancel}
        returnFocus={statusRef}
      >
        {confirming?.action === "revoke" && (
          <div>
            <label htmlFor="revoke-reason" className="mb-1 block text-sm font-medium text-gray-900">
              Reason (optional)
            </label>
            <input
              id="revoke-reason"
              type="text"
              maxLength={200}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              autoComplete="off"
              className={textInput}
            />
          </div>
        )}
      </ConfirmDialog>

      <PageHeader
        title="API keys"
        description="Keys let package clients and scripts publish and manage packages for you. Give each key a name, an expiry, and only the scopes and packages it needs."
        actions={
          !revealed && (
            <Link to="/account/api-keys/create" className={primaryButton}>
              Create
            </Link>
          )
        }
      />

      <p ref={statusRef} role="status" tabIndex={-1} className={notice ? "mb-4 rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900 focus:outline-none" : "sr-only"}>
        {notice}
      </p>

      {revealed ? (
        <KeyReveal
          heading={`Key “${revealed.name}” regenerated`}
          value={revealed.value}
          onDone={() => {
            setRevealed(null);
            document.getElementById(MAIN_CONTENT_ID)?.focus();
          }}
        />
      ) : (
        <>
          {legacyCount > 0 && (
            <div className="mb-6 flex flex-col gap-3 rounded-md border border-amber-300 bg-amber-50 p-4 sm:flex-row sm:items-center sm:justify-between">
              <p className="text-sm text-amber-950">
                {legacyCount === 1 ? "You have a legacy key" : `You have ${legacyCount} legacy keys`} with full access to all your packages. Create
                scoped keys for what you need, then revoke the legacy {legacyCount === 1 ? "key" : "keys"}.
              </p>
              <button type="button" className={`${secondaryButton} shrink-0`} onClick={() => open({ action: "revokeAllLegacy" })}>
                Revoke all legacy keys
              </button>
            </div>
          )}
          {keys.length === 0 ? (
            <div className="rounded-md border border-dashed border-gray-300 px-4 py-10 text-center">
              <p className="font-medium text-gray-900">You have no API keys yet.</p>
              <p className="mt-1 text-sm text-gray-600">Create one to push packages from CI or the command line.</p>
            </div>
          ) : (
            <KeysTable keys={keys} onAction={(action, key) => open({ action, key })} />
          )}
        </>
      )}
    </>
  );
}

function dialogText(confirming: Confirming | null, keys: readonly KeyView[]): { title: string; description: ReactNode; confirmLabel: string; tone?: "primary" } {
  if (!confirming) return { title: "", description: null, confirmLabel: "" };
  if (confirming.action === "revokeAllLegacy") {
    const names = keys.filter((k) => k.kind === "legacy" && k.status.state === "legacy").map((k) => `“${k.name}”`);
    return {
      title: "Revoke all legacy keys?",
      description: (
        <p>
          {names.length === 1 ? `Your legacy key ${names[0]} stops` : `Your ${names.length} legacy keys (${names.join(", ")}) stop`} working at once, everywhere it
          is used. This cannot be undone.
        </p>
      ),
      confirmLabel: "Revoke all legacy keys",
    };
  }
  const { key } = confirming;
  if (confirming.action === "revoke") {
    return {
      title: `Revoke “${key.name}”?`,
      description: <p>Anything using this key stops working at once. This cannot be undone: a revoked key can only be deleted.</p>,
      confirmLabel: "Revoke key",
    };
  }
  if (confirming.action === "delete") {
    return {
      title: `Delete “${key.name}”?`,
      description: (
        <p>
          The key is removed from your list for good.
          {key.status.state !== "revoked" && key.status.state !== "expired" && " Anything still using it stops working at once."}
        </p>
      ),
      confirmLabel: "Delete key",
    };
  }
  return {
    title: `Regenerate “${key.name}”?`,
    description: (
      <p>
        A new value replaces the current one, which stops working at once. The key keeps its name, scopes and packages
        {key.expiryDays ? `, and expires ${key.expiryDays === 1 ? "1 day" : `${key.expiryDays} days`} from now` : ""}.
      </p>
    ),
    confirmLabel: "Regenerate key",
    tone: "primary",
  };
}

const STATUS_STYLES: Record<KeyView["status"]["state"], string> = {
  active: "bg-green-50 text-green-800 ring-green-600/30",
  expiring: "bg-amber-50 text-amber-900 ring-amber-600/40",
  expired: "bg-gray-100 text-gray-700 ring-gray-500/30",
  revoked: "bg-red-50 text-red-800 ring-red-600/30",
  legacy: "bg-orange-50 text-orange-900 ring-orange-600/40",
};

const ACTION_LABELS: Record<RowAction, string> = {
  edit: "Edit packages",
  regenerate: "Regenerate",
  revoke: "Revoke",
  delete: "Delete",
};

const smallButton = `inline-flex items-center justify-center rounded-md border px-2 py-1 text-xs font-medium whitespace-nowrap shadow-xs ${focusRing}`;
const neutralAction = `${smallButton} border-gray-300 bg-white text-gray-800 hover:bg-gray-50`;
const dangerAction = `${smallButton} border-red-300 bg-white text-red-700 hover:bg-red-50`;

/** A day, with the time of day on a second line when it matters (narrow columns). */
function Time({ value, withTime = false }: { value: DateLike; withTime?: boolean }) {
  const date = toDate(value);
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatDate(date)}
      {withTime && <span className="block text-xs text-gray-500">{formatTime(date)}</span>}
    </time>
  );
}

const COLUMNS = ["Name", "Status", "Scopes", "Packages", "Glob", "Created", "Expires", "Last used", "Actions"] as const;

function KeysTable({ keys, onAction }: { keys: readonly KeyView[]; onAction: (action: "revoke" | "delete" | "regenerate", key: KeyView) => void }) {
  const th = "px-2.5 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-gray-600 uppercase first:pl-3";
  const td = "px-2.5 py-3 align-top";
  return (
    <TableScroller label="Your API keys">
      <table className="min-w-full divide-y divide-gray-200 text-sm">
        <thead className="bg-gray-50">
          <tr>
            {COLUMNS.map((name) => (
              <th key={name} scope="col" className={th}>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100 bg-white">
          {keys.map((key) => {
            const legacy = key.kind === "legacy";
            const packages = summarizePackages(key.packages);
            const scopes = scopeLabels(key.scopes);
            return (
              <tr key={key.id}>
                <th scope="row" className={`${td} min-w-32 pl-3 text-left font-medium text-gray-900`}>
                  <span className="break-words">{key.name}</span>
                  <span className="mt-0.5 block font-mono text-xs font-normal text-gray-500">{key.hint}</span>
                </th>
                <td className={`${td} whitespace-nowrap`}>
                  <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLES[key.status.state]}`}>
                    {key.status.label}
                  </span>
                </td>
                <td className={`${td} text-gray-800`}>{legacy ? "All" : scopes.length > 0 ? scopes.join(", ") : <NoneMark />}</td>
                <td className={`${td} text-gray-800`} title={packages.more > 0 ? key.packages.join(", ") : undefined}>
                  {legacy ? (
                    "All packages"
                  ) : packages.shown.length === 0 ? (
                    <NoneMark />
                  ) : (
                    // One per line; the comma is for screen readers and copy-paste.
                    <ul className="font-mono text-xs break-words">
                      {packages.shown.map((name, i) => (
                        <li key={name}>
                          {name}
                          {i < packages.shown.length - 1 && <span className="sr-only">,</span>}
                        </li>
                      ))}
                      {packages.more > 0 && <li className="font-sans text-sm whitespace-nowrap text-gray-600">and {packages.more} more</li>}
                    </ul>
                  )}
                </td>
                <td className={`${td} text-gray-800`}>{key.globs.length > 0 ? <span className="font-mono text-xs break-words">{key.globs.join(", ")}</span> : <NoneMark />}</td>
                <td className={`${td} whitespace-nowrap text-gray-800`}>
                  <Time value={key.createdAt} />
                </td>
                <td className={`${td} whitespace-nowrap text-gray-800`}>{key.expiresAt ? <Time value={key.expiresAt} /> : "Never"}</td>
                <td className={`${td} whitespace-nowrap text-gray-800`}>
                  {key.lastUsedAt ? (
                    <>
                      <Time value={key.lastUsedAt} withTime />
                      {key.lastUsedIp && <span className="block font-mono text-xs text-gray-500">{key.lastUsedIp}</span>}
                    </>
                  ) : (
                    "Never"
                  )}
                  <Link to="/account/access-logs" search={{ key: key.id }} className={`${textLink} mt-1 block w-max text-xs`}>
                    Logs<span className="sr-only"> of “{key.name}”</span>
                  </Link>
                </td>
                <td className={td}>
                  {/* Two by two, so four actions do not make the table wider than the page. */}
                  <div className="grid w-max grid-cols-2 gap-1.5">
                    {rowActions(key).map((action) =>
                      action === "edit" ? (
                        <Link key={action} to="/account/api-keys/$keyId/edit" params={{ keyId: String(key.id) }} className={neutralAction}>
                          {ACTION_LABELS[action]}
                          <span className="sr-only"> of “{key.name}”</span>
                        </Link>
                      ) : (
                        <button
                          key={action}
                          type="button"
                          className={action === "regenerate" ? neutralAction : dangerAction}
                          onClick={() => onAction(action, key)}
                        >
                          {ACTION_LABELS[action]}
                          <span className="sr-only"> “{key.name}”</span>
                        </button>
                      ),
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroller>
  );
}
