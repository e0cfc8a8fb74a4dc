import { createFileRoute } from "@tanstack/react-router";
import { PageHeader } from "../../../../components/PageHeader";
import { usePageTitle } from "../../../../lib/use-page-title";

export const Route = createFileRoute("/_authed/_admin/admin/access-logs")({
  component: AccessLogsPage,
});

function AccessLogsPage() {
  usePageTitle("Access logs");
  return (
    <>
      <PageHeader title="Access logs" description="Every request made with an API key: who, what, when, from where, and how it was answered." />
      {/* The log grid (filters kept in the URL) and the detail panel go here. */}
    </>
  );
}
