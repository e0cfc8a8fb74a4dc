import type { OldValueOverlapHours } from "@keyhouse/shared";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { ConfirmDialog } from "../../../../components/ConfirmDialog";
import { confirmationText, type KeyConfirmation, type OwnKey } from "../../../../components/keys/confirmations";
import { KeepOldValueField } from "../../../../components/keys/KeepOldValueField";
import { KeyReveal } from "../../../../components/keys/KeyReveal";
import type { UsageKey } from "../../../../components/keys/UsageGuide";
import { OwnKeyList } from "../../../../components/keys/OwnKeyList";
import { PageHeader } from "../../../../components/PageHeader";
import { MAIN_CONTENT_ID } from "../../../../components/SkipLink";
import { takeFlash } from "../../../../lib/flash";
import { activeLegacyKeyCount } from "../../../../lib/keys";
import { primaryButton, secondaryButton, textInput } from "../../../../lib/styles";
import { revealOnce } from "../../../../lib/one-time-value";
import { errorMessage } from "../../../../lib/trpc-errors";
import { usePageTitle } from "../../../../lib/use-page-title";
import { useTRPC, type RouterOutputs } from "../../../../trpc";

export const Route = createFileRoute("/_authed/account/api-keys/")({
  loader: ({ context: { queryClient, trpc } }) => queryClient.ensureQueryData(trpc.keys.list.queryOptions()),
  component: AccountApiKeysPage,
});

function AccountApiKeysPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useSuspenseQuery(trpc.keys.list.queryOptions()).data;

  const [confirming, setConfirming] = useState<KeyConfirmation | null>(null);
  const [reason, setReason] = useState("");
  // Regenerate › "Keep the old value working for" (rotation with overlap); "No" by default.
  const [keepOldValueHours, setKeepOldValueHours] = useState<OldValueOverlapHours>(0);
  const [notice, setNotice] = useState("");
  // A regenerated key's value lives here and nowhere else; "Done", leaving or reloading drops it.
  const [revealed, setRevealed] = useState<{ name: string; value: string; usageKey: UsageKey } | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  // What the page that sent us here saved ("Save packages"), set after mounting so it is announced.
  useEffect(() => {
    const message = takeFlash();
    if (message) setNotice(message);
  }, []);
  usePageTitle(revealed ? "API key regenerated" : "API keys");

  const listKey = trpc.keys.list.queryKey();
  const refreshList = () => queryClient.invalidateQueries({ queryKey: listKey });
  // Updated in place first so a row's buttons change (or the row goes) as the dialog closes.
  const replaceKey = (next: OwnKey) => queryClient.setQueryData(listKey, (old) => old?.map((k) => (k.id === next.id ? next : k)));
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
      // Only our state keeps the value: not the mutation cache, not the observer.
      ...revealOnce(
        ({ key, value }: RouterOutputs["keys"]["regenerate"]) => {
          setRevealed({ name: key.name, value, usageKey: { feeds: key.feeds, apis: key.apis } });
          replaceKey(key);
          finish("");
        },
        () => regenerate.reset(),
      ),
    }),
  );

  const active = confirming === null ? null : { revoke, delete: remove, regenerate, revokeAllLegacy }[confirming.action];

  function confirm() {
    if (!confirming) return;
    if (confirming.action === "revokeAllLegacy") revokeAllLegacy.mutate();
    else if (confirming.action === "revoke") revoke.mutate({ id: confirming.key.id, reason: reason.trim() || undefined });
    else if (confirming.action === "regenerate") regenerate.mutate({ id: confirming.key.id, keepOldValueHours });
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

  function open(next: KeyConfirmation) {
    for (const mutation of [revoke, remove, regenerate, revokeAllLegacy]) mutation.reset();
    setReason("");
    setKeepOldValueHours(0);
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
        {...confirmationText(confirming, keys)}
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
        {confirming?.action === "regenerate" && <KeepOldValueField value={keepOldValueHours} onChange={setKeepOldValueHours} />}
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

      <p
        ref={statusRef}
        role="status"
        tabIndex={-1}
        className={notice ? "mb-4 rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900 focus:outline-none" : "sr-only"}
      >
        {notice}
      </p>

      {revealed ? (
        <KeyReveal
          heading={`Key “${revealed.name}” regenerated`}
          value={revealed.value}
          usageKey={revealed.usageKey}
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
                {legacyCount === 1 ? "You have a legacy key" : `You have ${legacyCount} legacy keys`} with full access to all your packages. Create scoped keys
                for what you need, then revoke the legacy {legacyCount === 1 ? "key" : "keys"}.
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
            <OwnKeyList keys={keys} onAction={(action, key) => open({ action, key })} />
          )}
        </>
      )}
    </>
  );
}
