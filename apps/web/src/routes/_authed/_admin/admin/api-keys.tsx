import { createFileRoute } from "@tanstack/react-router";
import { PageHeader } from "../../../../components/PageHeader";
import { usePageTitle } from "../../../../lib/use-page-title";

export const Route = createFileRoute("/_authed/_admin/admin/api-keys")({
  component: AdminApiKeysPage,
});

function AdminApiKeysPage() {
  usePageTitle("Admin › API keys");
  return (
    <>
      <PageHeader title="Admin › API keys" description="Every API key on this server: scoped, system and legacy keys, whoever owns them." />
      {/* The key grid (filter, sort, create and edit system keys) goes here. */}
    </>
  );
}
