// A created key's value, through the app's own query client and tRPC options (the network
// answered by a stand-in server), ends up only where revealOnce hands it.
import { MutationObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { queryClient, trpc, type RouterOutputs } from "../trpc";
import { revealOnce } from "./one-time-value";

type Created = RouterOutputs["keys"]["create"];

/** The BFF's answer to a tRPC batch call of keys.create, as it goes over the wire. */
function answerCreate(value: string) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => {
    const data = { key: { id: 7, name: "CI" }, value };
    return new Response(JSON.stringify([{ result: { data } }]), { status: 200, headers: { "content-type": "application/json" } });
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  queryClient.clear();
});

describe("revealing a key value once", () => {
  it("hands the value to its taker and leaves no trace of it in the query client", async () => {
    const secret = `khk_${"x".repeat(36)}`;
    const fetch = answerCreate(secret);
    vi.stubGlobal("fetch", fetch);
    const mutations = queryClient.getMutationCache();
    const removed = new Promise<void>((resolve) => mutations.subscribe((event) => event.type === "removed" && resolve()));

    let taken: Created | null = null;
    const options = trpc.keys.create.mutationOptions(
      revealOnce(
        (out: Created) => (taken = out),
        () => observer.reset(),
      ),
    );
    const observer = new MutationObserver(queryClient, options);
    const unsubscribe = observer.subscribe(() => {});
    await observer.mutate({ name: "CI", expiresInDays: 30, scopes: ["push"], packages: [], glob: "*" });
    await removed;
    unsubscribe();

    expect(fetch).toHaveBeenCalledOnce();
    expect(taken).toMatchObject({ value: secret });
    expect(observer.getCurrentResult().data).toBeUndefined();
    expect(mutations.getAll()).toHaveLength(0);
    expect(
      JSON.stringify(
        queryClient
          .getQueryCache()
          .getAll()
          .map((q) => q.state),
      ),
    ).not.toContain(secret);
  });
});
