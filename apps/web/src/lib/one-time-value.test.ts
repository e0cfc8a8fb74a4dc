import { MutationObserver, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

// The wizard and the list hand a new key's value to component state in the mutation's
// onSuccess, then reset the mutation; with gcTime 0 nothing in the query client keeps it.
describe("revealing a key value once", () => {
  it("leaves no trace of the value in the mutation cache", async () => {
    const queryClient = new QueryClient();
    const secret = "khk_not-a-real-key";
    let taken: string | null = null;
    const observer: MutationObserver<{ value: string }, Error, void> = new MutationObserver(queryClient, {
      mutationFn: async () => ({ value: secret }),
      gcTime: 0,
      onSuccess: ({ value }) => {
        taken = value;
        observer.reset();
      },
    });
    const unsubscribe = observer.subscribe(() => {});
    await observer.mutate();
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(taken).toBe(secret);
    expect(observer.getCurrentResult().data).toBeUndefined();
    expect(queryClient.getMutationCache().getAll()).toHaveLength(0);
    expect(JSON.stringify(queryClient.getQueryCache().getAll().map((q) => q.state))).not.toContain(secret);
    unsubscribe();
  });
});
