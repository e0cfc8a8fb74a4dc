import { useQueryErrorResetBoundary } from "@tanstack/react-query";
import { useRouter, type ErrorComponentProps } from "@tanstack/react-router";
import { useEffect } from "react";
import { secondaryButton } from "../lib/styles";
import { errorMessage } from "../lib/trpc-errors";
import { BrandLink } from "./BrandLink";
import { MessagePage } from "./MessagePage";
import { MAIN_CONTENT_ID } from "./SkipLink";

/** Shown in place of a route that failed to load or render, inside the app shell. */
export function ErrorPage({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  const queryErrorReset = useQueryErrorResetBoundary();

  // Failed queries stay failed until their boundary is reset; do it once we show the error.
  useEffect(() => {
    queryErrorReset.reset();
  }, [queryErrorReset]);

  return (
    <MessagePage
      title="Something went wrong"
      message={errorMessage(error)}
      action={
        <button
          type="button"
          className={secondaryButton}
          onClick={() => {
            reset();
            // Re-runs the loaders as well as re-rendering, so a failed fetch is retried.
            void router.invalidate();
          }}
        >
          Try again
        </button>
      }
    />
  );
}

/** The root route has no shell around its error (the session is unknown), so this brings a minimal one. */
export function RootErrorPage(props: ErrorComponentProps) {
  return (
    <>
      <header className="bg-gray-900">
        <div className="mx-auto flex h-14 max-w-6xl items-center px-4">
          <BrandLink />
        </div>
      </header>
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="mx-auto max-w-6xl px-4 py-8 focus:outline-none">
        <ErrorPage {...props} />
      </main>
    </>
  );
}
