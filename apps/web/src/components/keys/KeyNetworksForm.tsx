import { zodResolver } from "@hookform/resolvers/zod";
import { updateKeyNetworksInputSchema } from "@keyhouse/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useId, useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";
import { errorBox } from "../../lib/styles";
import { setFlash } from "../../lib/flash";
import { formErrorOf } from "../../lib/trpc-errors";
import { useTRPC, type RouterOutputs } from "../../trpc";
import { AllowedNetworksField } from "./AllowedNetworksField";
import { KeyFormActions } from "./KeyFormActions";

type KeyView = RouterOutputs["keys"]["list"][number];

// The server's schema for the networks (keys.updateNetworks) and the alerts switch (keys.updateAlerts).
const schema = updateKeyNetworksInputSchema.extend({ alertNewNetworks: z.boolean() });
type Input = z.input<typeof schema>;
type Output = z.output<typeof schema>;

/** Edit › "Networks and alerts": where the key may be used from, and whether a new network is told. */
export function KeyNetworksForm({ apiKey }: { apiKey: KeyView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const id = useId();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Input, unknown, Output>({
    resolver: zodResolver(schema),
    defaultValues: { id: apiKey.id, allowedNetworks: apiKey.allowedNetworks, alertNewNetworks: apiKey.alertNewNetworks },
  });
  const networks = useMutation(trpc.keys.updateNetworks.mutationOptions());
  const alerts = useMutation(trpc.keys.updateAlerts.mutationOptions());
  const pending = networks.isPending || alerts.isPending;

  const onSubmit = form.handleSubmit(async (values) => {
    if (pending) return;
    setFormError(null);
    try {
      if (values.allowedNetworks.join("\n") !== apiKey.allowedNetworks.join("\n"))
        await networks.mutateAsync({ id: apiKey.id, allowedNetworks: values.allowedNetworks });
      if (values.alertNewNetworks !== apiKey.alertNewNetworks) await alerts.mutateAsync({ id: apiKey.id, alertNewNetworks: values.alertNewNetworks });
    } catch (error) {
      setFormError(formErrorOf(error, ["allowedNetworks"] as const, (field, message) => form.setError(field, { type: "server", message })));
      return;
    }
    await queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey(), refetchType: "all" });
    setFlash(`Saved the networks and alerts of “${apiKey.name}”.`);
    await navigate({ to: "/account/api-keys" });
  });

  const alertsId = `${id}-alerts`;
  return (
    <section aria-labelledby={`${id}-heading`} className="mt-10 max-w-2xl border-t border-gray-200 pt-6">
      <h2 id={`${id}-heading`} className="mb-4 text-lg font-semibold text-gray-900">
        Networks and alerts
      </h2>
      <form noValidate onSubmit={onSubmit} className="space-y-6">
        {formError && (
          <p role="alert" className={errorBox}>
            {formError}
          </p>
        )}
        {apiKey.kind === "scoped" && (
          <Controller
            control={form.control}
            name="allowedNetworks"
            render={({ field, fieldState }) => (
              <AllowedNetworksField value={field.value} onChange={field.onChange} onBlur={field.onBlur} error={fieldState.error} />
            )}
          />
        )}
        <div className="flex items-start gap-2">
          <input
            id={alertsId}
            type="checkbox"
            aria-describedby={`${alertsId}-hint`}
            className="mt-0.5 size-4 shrink-0 accent-green-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
            {...form.register("alertNewNetworks")}
          />
          <div className="text-sm">
            <label htmlFor={alertsId} className="font-medium text-gray-900">
              Alert me about new networks
            </label>
            <p id={`${alertsId}-hint`} className="text-gray-600">
              Email me the first time the key is used from a network (/24 or /48) it was not used from in the last 90 days.
            </p>
          </div>
        </div>
        <KeyFormActions submitLabel="Save networks and alerts" pending={pending} />
      </form>
    </section>
  );
}
