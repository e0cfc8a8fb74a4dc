import { createFileRoute, redirect } from "@tanstack/react-router";

// There is no dashboard yet; a person's own keys are the natural first page.
export const Route = createFileRoute("/")({
  beforeLoad: () => {
    throw redirect({ to: "/account/api-keys", replace: true });
  },
});
