import type { UsageCount } from "@keyhouse/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { formatDateTime } from "../../lib/dates";
import { errorBox, primaryButton, secondaryButton } from "../../lib/styles";
import { useTRPC } from "../../trpc";
import { ConfirmDialog } from "../ConfirmDialog";
import { Modal } from "../Modal";
import { DialogClose } from "./DialogClose";

const ACTION_WORDS: Record<string, string> = {
  "push-new": "Push of a new package",
  "push-version": "Push of a new version",
  unlist: "Unlist, deprecate or relist",
  read: "Read",
};

function Counts({ title, list, word = (v: string) => v }: { title: string; list: UsageCount[]; word?: (value: string) => string }) {
  if (list.length === 0) return null;
  return (
    <div>
      <h3 className="text-sm font-semibold text-gray-900">{title}</h3>
      <ul className="mt-1 space-y-0.5 text-sm text-gray-700">
        {list.map((c) => (
          <li key={c.value}>
            <span className="font-mono text-xs">{word(c.value) || "unknown address"}</span> — {c.count} request{c.count === 1 ? "" : "s"}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * "What this key used" (docs/advisor.md): the key's use over the window, the rights it did
 * not use, and the advisor's narrowing, applied after a confirmation that lists the change;
 * a key with no use is offered "Revoke".
 */
export function KeyUsageButton({ keyId, keyName, className, onRevoke }: { keyId: number; keyName: string; className: string; onRevoke: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const titleId = `${useId()}-title`;
  const used = useQuery({ ...trpc.keys.used.queryOptions({ id: keyId }), enabled: open });
  const narrow = useMutation(trpc.keys.narrow.mutationOptions());
  const data = used.data;
  const suggestion = data?.advice.suggestion ?? null;

  async function apply() {
    if (!suggestion || !data) return;
    await narrow.mutateAsync({ id: keyId, rights: suggestion });
    setConfirming(false);
    setDone(data.advice.summary);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey(), refetchType: "all" }),
      queryClient.invalidateQueries({ queryKey: trpc.keys.used.queryKey({ id: keyId }) }),
    ]);
  }

  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => {
          setDone(null);
          setOpen(true);
        }}
      >
        What this key used<span className="sr-only"> “{keyName}”</span>
      </button>
      <Modal open={open && !confirming} labelledBy={titleId} onRequestClose={() => setOpen(false)} className="max-w-2xl">
        <div className="space-y-4 p-5">
          <h2 id={titleId} className="text-lg font-semibold text-gray-900">
            What “{keyName}” used
          </h2>
          {used.isPending && <p className="text-sm text-gray-600">Loading…</p>}
          {used.error && (
            <p role="alert" className={errorBox}>
              {used.error.message}
            </p>
          )}
          {data && (
            <>
              <p className="text-sm text-gray-700">
                In the last {data.usage.windowDays} days: {data.usage.requests} request{data.usage.requests === 1 ? "" : "s"}
                {data.usage.refused > 0 && `, ${data.usage.refused} refused`}
                {data.usage.firstUsedAt &&
                  data.usage.lastUsedAt &&
                  `, from ${formatDateTime(data.usage.firstUsedAt)} to ${formatDateTime(data.usage.lastUsedAt)}`}
                .
              </p>
              <div className="grid gap-3 sm:grid-cols-2">
                <Counts title="Actions" list={data.usage.actions} word={(v) => ACTION_WORDS[v] ?? v} />
                <Counts title="Packages" list={data.usage.packages} />
                <Counts title="APIs" list={data.usage.surfaces} />
                <Counts title="Feeds" list={data.usage.feeds} />
                <Counts title="Networks" list={data.usage.networks} />
              </div>
              {data.advice.unusedRights.length > 0 && (
                <div>
                  <h3 className="text-sm font-semibold text-gray-900">Unused rights</h3>
                  <ul className="mt-1 list-disc pl-5 text-sm text-amber-900">
                    {data.advice.unusedRights.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                </div>
              )}
              {done && (
                <p role="status" className="text-sm text-green-800">
                  Narrowed. {done}
                </p>
              )}
              {!done && suggestion && data.advice.summary && (
                <div className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm">
                  <p className="font-medium text-amber-900">Suggestion: {data.advice.summary}</p>
                  <button type="button" className={`${primaryButton} mt-2`} onClick={() => setConfirming(true)}>
                    Narrow this key
                  </button>
                </div>
              )}
              {data.advice.unused && (
                <div className="rounded-md border border-red-200 bg-red-50 p-3 text-sm">
                  <p className="text-red-900">This key was not used in the last {data.usage.windowDays} days.</p>
                  <button
                    type="button"
                    className={`${secondaryButton} mt-2`}
                    onClick={() => {
                      setOpen(false);
                      onRevoke();
                    }}
                  >
                    Revoke
                  </button>
                </div>
              )}
            </>
          )}
          <DialogClose onClose={() => setOpen(false)} />
        </div>
      </Modal>
      <ConfirmDialog
        open={confirming}
        title={`Narrow “${keyName}”?`}
        tone="primary"
        description={
          <>
            <p>{data?.advice.summary}</p>
            <p>The key keeps working for everything it did in the last {data?.usage.windowDays ?? 90} days and loses:</p>
            <ul className="list-disc pl-5">
              {data?.advice.unusedRights.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </>
        }
        confirmLabel="Narrow"
        pendingLabel="Narrowing…"
        pending={narrow.isPending}
        error={narrow.error?.message ?? null}
        onConfirm={() => void apply().catch(() => {})}
        onCancel={() => setConfirming(false)}
      />
    </>
  );
}
