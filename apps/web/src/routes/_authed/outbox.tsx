import { createFileRoute } from "@tanstack/react-router";
import { PageHeader } from "../../components/PageHeader";
import { usePageTitle } from "../../lib/use-page-title";

export const Route = createFileRoute("/_authed/outbox")({
  component: OutboxPage,
});

function OutboxPage() {
  usePageTitle("Outbox");
  return (
    <>
      <PageHeader title="Outbox" description="Notifications Keyhouse has sent about API keys, kept here when no mail server is configured." />
      {/* The notification list goes here. */}
    </>
  );
}
