import { zodResolver } from "@hookform/resolvers/zod";
import { updateKeyPackagesInputSchema, type UpdateKeyPackagesInput, type UpdateKeyPackagesOutput } from "@keyhouse/shared";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link, notFound, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { KeyFormActions } from "../../../../../components/keys/KeyFormActions";
import { KeyNetworksForm } from "../../../../../components/keys/KeyNetworksForm";
import { PackagesPickerField } from "../../../../../components/keys/PackagesPicker";
import { PageHeader } from "../../../../../components/PageHeader";
import { scopeLabels, type OwnedPackage } from "../../../../../lib/keys";
import { errorBox, textLink } from "../../../../../lib/styles";
import { formErrorOf } from "../../../../../lib/trpc-errors";
import { usePageTitle } from "../../../../../lib/use-page-title";
import { useTRPC, type RouterOutputs } from "../../../../../trpc";
import { setFlash } from "../../../../../lib/flash";

type KeyView = RouterOutputs["keys"]["list"][number];

export const Route = createFileRoute("/_authed/account/api-keys/$keyId/edit")({
  loader: async ({ context: { queryClient, trpc }, params }) => {
    // Only whole positive numbers are key IDs; anything else is simply not a page.
    if (!/^[1-9][0-9]{0,15}$/.test(params.keyId)) throw notFound();
    await Promise.all([queryClient.ensureQueryData(trpc.keys.list.queryOptions()), queryClient.ensureQueryData(trpc.keys.ownedPackages.queryOptions())]);
  },
  component: EditPackagesPage,
});

function EditPackagesPage() {
  const trpc = useTRPC();
  const { keyId } = Route.useParams();
  const keys = useSuspenseQuery(trpc.keys.list.queryOptions()).data;
  const owned = useSuspenseQuery(trpc.keys.ownedPackages.queryOptions()).data;
  const key = keys.find((k) => k.id === Number(keyId));
  usePageTitle(key ? `Edit packages of ${key.name}` : "Key not found");

  if (!key) {
    return <Unavailable title="Key not found" message="There is no key with this ID among your API keys. It may have been deleted." />;
  }
  if (key.kind !== "scoped") {
    return (
      <Unavailable title={`Edit packages of “${key.name}”`} message="Only keys made with the wizard have packages to edit: legacy keys have full access." />
    );
  }
  if (key.revokedAt !== null) {
    return <Unavailable title={`Edit packages of “${key.name}”`} message="This key is revoked: its packages can no longer be changed." />;
  }
  // Keyed so a different key (or a refetched one) starts from its own saved values.
  return <EditPackagesForm key={key.id} apiKey={key} owned={owned} />;
}

function Unavailable({ title, message }: { title: string; message: string }) {
  return (
    <>
      <PageHeader title={title} />
      <p className="text-gray-700">{message}</p>
      <p className="mt-4">
        <Link to="/account/api-keys" className={textLink}>
          Back to your API keys
        </Link>
      </p>
    </>
  );
}

function EditPackagesForm({ apiKey, owned }: { apiKey: KeyView; owned: readonly OwnedPackage[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);

  const form = useForm<UpdateKeyPackagesInput, unknown, UpdateKeyPackagesOutput>({
    resolver: zodResolver(updateKeyPackagesInputSchema),
    defaultValues: { id: apiKey.id, packages: apiKey.packages, glob: apiKey.globs[0] ?? "" },
  });

  const save = useMutation(
    trpc.keys.updatePackages.mutationOptions({
      onSuccess: async (key) => {
        await queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey(), refetchType: "all" });
        // Every save confirms, as Revoke and Delete do: the list shows it.
        setFlash(`Saved the packages of “${key.name}”.`);
        await navigate({ to: "/account/api-keys" });
      },
      onError: (error) => {
        setFormError(formErrorOf(error, ["packages", "glob"] as const, (field, message) => form.setError(field, { type: "server", message })));
      },
    }),
  );

  const onSubmit = form.handleSubmit((values) => {
    if (save.isPending) return;
    setFormError(null);
    save.mutate(values);
  });

  const scopes = scopeLabels(apiKey.scopes);
  return (
    <>
      <PageHeader
        title={`Edit packages of “${apiKey.name}”`}
        description={`Scopes: ${scopes.length > 0 ? scopes.join(", ") : "none"}. The key keeps its value and expiry; only what it may act on changes.`}
      />
      <form noValidate onSubmit={onSubmit} className="max-w-2xl space-y-6">
        {formError && (
          <p role="alert" className={errorBox}>
            {formError}
          </p>
        )}
        <PackagesPickerField control={form.control} owned={owned} />
        <KeyFormActions submitLabel="Save packages" pending={save.isPending} />
      </form>
      <KeyNetworksForm apiKey={apiKey} />
    </>
  );
}
