import { zodResolver } from "@hookform/resolvers/zod";
import { createKeyInputSchema, DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, SCOPE_LABELS, SCOPES, type CreateKeyInput, type CreateKeyOutput } from "@keyhouse/shared";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute } from "@tanstack/react-router";
import { useId, useState } from "react";
import { Controller, useForm, useWatch, type Control } from "react-hook-form";
import { controlProps, FormField } from "../../../../components/FormField";
import { AllowedNetworksField } from "../../../../components/keys/AllowedNetworksField";
import { KeyFormActions } from "../../../../components/keys/KeyFormActions";
import { KeyReveal } from "../../../../components/keys/KeyReveal";
import type { UsageKey } from "../../../../components/keys/UsageGuide";
import { PackagesPickerField } from "../../../../components/keys/PackagesPicker";
import { PageHeader } from "../../../../components/PageHeader";
import { describeExpiry, expiryOptionLabel, globMatches, packageChoices, scopeLabels, type OwnedPackage } from "../../../../lib/keys";
import { errorBox, textInput } from "../../../../lib/styles";
import { revealOnce } from "../../../../lib/one-time-value";
import { formErrorOf } from "../../../../lib/trpc-errors";
import { usePageTitle } from "../../../../lib/use-page-title";
import { useTRPC, type RouterOutputs } from "../../../../trpc";

export const Route = createFileRoute("/_authed/account/api-keys/create")({
  loader: ({ context: { queryClient, trpc } }) => queryClient.ensureQueryData(trpc.keys.ownedPackages.queryOptions()),
  component: CreateKeyPage,
});

const FIELDS = ["name", "expiresInDays", "scopes", "packages", "glob", "allowedNetworks"] as const;

type Revealed = { name: string; value: string; usageKey: UsageKey };

function CreateKeyPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const owned = useSuspenseQuery(trpc.keys.ownedPackages.queryOptions()).data;
  // The one place the new key's value lives: this component's state. Nothing else
  // (URL, storage, router state, query cache) ever holds it, so leaving hides it for good.
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  usePageTitle(revealed ? "API key created" : "Create an API key");

  const form = useForm<CreateKeyInput, unknown, CreateKeyOutput>({
    resolver: zodResolver(createKeyInputSchema),
    defaultValues: { name: "", expiresInDays: DEFAULT_EXPIRY_DAYS, scopes: [], packages: [], glob: "", allowedNetworks: [] },
  });
  const { errors } = form.formState;

  const create = useMutation(
    trpc.keys.create.mutationOptions({
      // Only our state keeps the value: not the mutation cache, not the observer.
      ...revealOnce(
        ({ key, value }: RouterOutputs["keys"]["create"]) => {
          setRevealed({ name: key.name, value, usageKey: { feeds: key.feeds, apis: key.apis } });
          // Refetched now (the list is not on screen) so it is fresh when "Done" goes back to it.
          void queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey(), refetchType: "all" });
        },
        () => create.reset(),
      ),
      onError: (error) => {
        setFormError(formErrorOf(error, FIELDS, (field, message) => form.setError(field, { type: "server", message })));
      },
    }),
  );

  const onSubmit = form.handleSubmit((values) => {
    if (create.isPending) return;
    setFormError(null);
    create.mutate(values);
  });

  if (revealed) {
    return (
      <>
        <PageHeader title="API keys" />
        <KeyReveal heading={`Key “${revealed.name}” created`} value={revealed.value} usageKey={revealed.usageKey} />
      </>
    );
  }

  const nameId = `${id}-name`;
  const expiryId = `${id}-expiry`;
  const scopesErrorId = `${id}-scopes-error`;

  return (
    <>
      <PageHeader
        title="Create an API key"
        description="Give the key a name, a lifetime, and only the scopes and packages it needs. You will see the key once, right after it is generated."
      />
      <form noValidate onSubmit={onSubmit} className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem] lg:gap-x-8">
        <div className="min-w-0 space-y-6">
          {formError && (
            <p role="alert" className={errorBox}>
              {formError}
            </p>
          )}

          <div className="grid gap-6 sm:grid-cols-[minmax(0,1fr)_12rem]">
            <FormField id={nameId} label="Key name" error={errors.name?.message} strong>
              <input
                type="text"
                autoComplete="off"
                spellCheck={false}
                {...controlProps(nameId, errors.name?.message)}
                className={textInput}
                {...form.register("name")}
              />
            </FormField>
            <FormField id={expiryId} label="Expires in" error={errors.expiresInDays?.message} strong>
              <select
                {...controlProps(expiryId, errors.expiresInDays?.message)}
                className={textInput}
                {...form.register("expiresInDays", { valueAsNumber: true })}
              >
                {EXPIRY_DAYS.map((days) => (
                  <option key={days} value={days}>
                    {expiryOptionLabel(days)}
                  </option>
                ))}
              </select>
            </FormField>
          </div>

          <fieldset aria-describedby={errors.scopes ? scopesErrorId : undefined} className="space-y-2">
            <legend className="mb-2 text-sm font-semibold text-gray-900">Scopes</legend>
            {SCOPES.map((scope) => {
              const boxId = `${id}-scope-${scope}`;
              return (
                <div key={scope} className="flex items-start gap-2">
                  <input
                    id={boxId}
                    type="checkbox"
                    value={scope}
                    aria-invalid={errors.scopes ? true : undefined}
                    aria-describedby={`${boxId}-hint`}
                    className="mt-0.5 size-4 shrink-0 accent-green-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
                    {...form.register("scopes")}
                  />
                  <div className="text-sm">
                    <label htmlFor={boxId} className="font-medium text-gray-900">
                      {SCOPE_LABELS[scope].label}
                    </label>
                    <p id={`${boxId}-hint`} className="text-gray-600">
                      {SCOPE_LABELS[scope].hint}
                    </p>
                  </div>
                </div>
              );
            })}
            {errors.scopes && (
              <p id={scopesErrorId} className="text-sm text-red-700">
                {errors.scopes.message}
              </p>
            )}
          </fieldset>

          <PackagesPickerField control={form.control} owned={owned} />

          <Controller
            control={form.control}
            name="allowedNetworks"
            render={({ field, fieldState }) => (
              <AllowedNetworksField value={field.value} onChange={field.onChange} onBlur={field.onBlur} error={fieldState.error} />
            )}
          />
        </div>
        {/* After the fields in reading order; beside them, and sticky, on wide screens. */}
        <aside className="min-w-0 lg:col-start-2 lg:row-span-2 lg:row-start-1">
          <div className="lg:sticky lg:top-4">
            <Summary control={form.control} owned={owned} />
          </div>
        </aside>
        <KeyFormActions submitLabel="Generate key" pending={create.isPending} className="lg:col-start-1" />
      </form>
    </>
  );
}

type CreateControl = Control<CreateKeyInput, unknown, CreateKeyOutput>;

function Summary({ control, owned }: { control: CreateControl; owned: readonly OwnedPackage[] }) {
  const [name, expiresInDays, scopes, packages, glob, networks] = useWatch({
    control,
    name: ["name", "expiresInDays", "scopes", "packages", "glob", "allowedNetworks"],
  });
  const days = Number(expiresInDays) || DEFAULT_EXPIRY_DAYS;
  const pattern = (glob ?? "").trim();
  const matches = pattern ? globMatches(pattern, packageChoices(owned)) : null;
  const labels = scopeLabels(scopes ?? []);
  const none = <span className="text-gray-500">None</span>;

  return (
    <section aria-labelledby="summary-heading" className="rounded-lg border border-gray-200 bg-gray-50 p-4">
      <h2 id="summary-heading" className="mb-3 text-base font-semibold text-gray-900">
        Summary
      </h2>
      <dl className="space-y-3 text-sm">
        <div>
          <dt className="font-medium text-gray-600">Name</dt>
          <dd className="break-words text-gray-900">{name?.trim() ? name.trim() : <span className="text-gray-500">Not set</span>}</dd>
        </div>
        <div>
          <dt className="font-medium text-gray-600">Expires</dt>
          <dd className="text-gray-900">{describeExpiry(days, new Date())}</dd>
        </div>
        <div>
          <dt className="font-medium text-gray-600">Scopes</dt>
          <dd className="text-gray-900">{labels.length > 0 ? labels.join(", ") : none}</dd>
        </div>
        <div>
          <dt className="font-medium text-gray-600">Packages</dt>
          <dd className="font-mono break-words text-gray-900">{packages && packages.length > 0 ? packages.join(", ") : none}</dd>
        </div>
        <div>
          <dt className="font-medium text-gray-600">Glob pattern</dt>
          <dd className="break-words text-gray-900">
            {pattern ? (
              <>
                <span className="font-mono">{pattern}</span>
                {matches && <span className="text-gray-600"> ({matches.length === 1 ? "1 package" : `${matches.length} packages`} now)</span>}
              </>
            ) : (
              none
            )}
          </dd>
        </div>
        <div>
          <dt className="font-medium text-gray-600">Allowed networks</dt>
          <dd className="font-mono break-words text-gray-900">
            {networks && networks.length > 0 ? networks.join(", ") : <span className="font-sans text-gray-500">Anywhere</span>}
          </dd>
        </div>
      </dl>
    </section>
  );
}
