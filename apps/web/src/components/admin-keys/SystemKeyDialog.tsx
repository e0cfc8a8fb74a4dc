import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type RefObject } from "react";
import type { AdminKeyOptions, AdminKeyRow } from "../../lib/admin-keys/format";
import { useTRPC } from "../../trpc";
import { KeyReveal } from "../keys/KeyReveal";
import type { UsageKey } from "../keys/UsageGuide";
import { Modal } from "../Modal";
import { SystemKeyForm, type SystemKeySubmit } from "./SystemKeyForm";

export type SystemKeyTarget = { mode: "create" } | { mode: "edit"; key: AdminKeyRow };

/**
 * Create or edit a system key in a modal; a new value is then shown once, in place of the
 * form. The value lives only in this component's state: the mutations keep no copy
 * (reset at once, and gcTime 0 drops them from the mutation cache), and nothing puts it
 * in the URL, storage or the query cache.
 */
export function SystemKeyDialog({
  target,
  options,
  onClose,
  returnFocus,
}: {
  target: SystemKeyTarget | null;
  options: AdminKeyOptions | undefined;
  /** `message` says what happened, for the page to announce. */
  onClose: (message?: string) => void;
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const titleId = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.adminKeys.create.mutationOptions({ gcTime: 0 }));
  const update = useMutation(trpc.adminKeys.update.mutationOptions({ gcTime: 0 }));
  const [revealed, setRevealed] = useState<{ value: string; name: string; created: boolean; usageKey: UsageKey } | null>(null);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.adminKeys.list.pathKey() }),
      // The owner's own list, should the admin look at theirs next.
      queryClient.invalidateQueries({ queryKey: trpc.keys.pathKey() }),
    ]);

  const submit: SystemKeySubmit = async (values, changed) => {
    const { id: _id, ...fields } = values;
    if (target?.mode === "edit") {
      let out;
      try {
        out = await update.mutateAsync({
          ...fields,
          id: target.key.id,
          // An untouched date box keeps the stored moment, not that day's midnight.
          expiresAt: changed.expiresAt ? fields.expiresAt : target.key.expiresAt,
        });
      } finally {
        // Neither the answer nor the request (a custom value) stays in the mutation cache.
        update.reset();
      }
      void refresh();
      if (out.value) setRevealed({ value: out.value, name: out.key.name, created: false, usageKey: { feeds: out.key.feeds, apis: out.key.apis } });
      else close(`Saved the changes to “${out.key.name}”.`);
      return;
    }
    let out;
    try {
      out = await create.mutateAsync({ ...fields, keyMode: fields.keyMode === "custom" ? "custom" : "generate" });
    } finally {
      create.reset();
    }
    void refresh();
    setRevealed({ value: out.value, name: out.key.name, created: true, usageKey: { feeds: out.key.feeds, apis: out.key.apis } });
  };

  function close(message?: string) {
    setRevealed(null);
    create.reset();
    update.reset();
    onClose(message);
  }

  const busy = create.isPending || update.isPending;
  return (
    <Modal
      open={target !== null}
      labelledBy={titleId}
      onRequestClose={() => !busy && close(revealed ? doneMessage(revealed) : undefined)}
      returnFocus={returnFocus}
      className="max-w-xl"
    >
      {revealed ? (
        <KeyReveal
          layout="dialog"
          headingId={titleId}
          heading={revealed.created ? `System key “${revealed.name}” created` : `New value for “${revealed.name}”`}
          label="New API key"
          value={revealed.value}
          usageKey={revealed.usageKey}
          onDone={() => close(doneMessage(revealed))}
        />
      ) : (
        target && (
          <SystemKeyForm
            key={target.mode === "edit" ? target.key.id : "create"}
            titleId={titleId}
            editing={target.mode === "edit" ? target.key : null}
            options={options}
            onSubmit={submit}
            onCancel={() => close()}
          />
        )
      )}
    </Modal>
  );
}

function doneMessage(r: { name: string; created: boolean }): string {
  return r.created ? `Created the system key “${r.name}”.` : `Saved “${r.name}” with its new value.`;
}
