import { useQueryErrorResetBoundary } from "@tanstack/react-query";
import { useRouter, type ErrorComponentProps } from "@tanstack/react-router";
import { useEffect } from "react";
import { secondaryButton } from "../lib/styles";
import { errorMessage } from "../lib/trpc-errors";
import { usePageTitle } from "../lib/use-page-title";
import { BrandLink } from "./BrandLink";
import { MAIN_CONTENT_ID } from "./SkipLink";

/** Shown in place of a route that failed to load or render, inside the app shell. */
export function ErrorPage({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  const queryErrorReset = useQueryErrorResetBoundary();
  usePageTitle("Something went wrong");

  // Failed queries stay failed until their boundary is reset; do it once we show the error.
  useEffect(() => {
    queryErrorReset.reset();
  }, [queryErrorReset]);

  return (
    <section className="mx-auto max-w-xl py-10 text-center">
      <h1 className="text-2xl font-semibold text-gray-900">Something went wrong</h1>
      <p className="mt-2 break-words text-gray-600">{errorMessage(error)}</p>
      <p className="mt-6">
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
      </p>
    </section>
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
