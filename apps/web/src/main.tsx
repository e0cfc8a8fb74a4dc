import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { watchForExpiredSession } from "./lib/session-expiry";
import { createAppRouter } from "./router";
import "./styles.css";
import { queryClient, TRPCProvider, trpc, trpcClient } from "./trpc";

const router = createAppRouter({ queryClient, trpc });

// Re-running the guards sends a person whose session ended to sign in, then back here.
watchForExpiredSession({ queryClient, trpc }, () => void router.invalidate());

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element.");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <RouterProvider router={router} />
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
