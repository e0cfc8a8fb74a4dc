import { createFileRoute } from "@tanstack/react-router";
import { PageHeader } from "../../../../components/PageHeader";
import { usePageTitle } from "../../../../lib/use-page-title";

export const Route = createFileRoute("/_authed/account/api-keys/")({
  component: AccountApiKeysPage,
});

function AccountApiKeysPage() {
  usePageTitle("API keys");
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let package clients and scripts publish and manage packages for you. Give each key a name, an expiry, and only the scopes and packages it needs."
        // The generate-key wizard adds its entry point here:
        // <Link to="/account/api-keys/create" className={primaryButton}>Create</Link>
        actions={null}
      />
      {/* The key list (name, status, scopes, packages, expiry, last used, actions) goes here. */}
    </>
  );
}
