// A key's value arrives once, in the answer that creates or regenerates it, and must live
// only in the component state that shows it (docs/threat-model.md, "Show once"): not in
// the mutation cache, the query cache, the URL or storage. These are the options every
// mutation that answers a value uses for that.

/**
 * `take` hands the answer to component state; `release` is the mutation's reset(), so the
 * observer lets go of the answer at once; gcTime 0 then drops the mutation (answer and
 * request) from the cache as soon as nobody observes it.
 */
export function revealOnce<TData>(take: (data: TData) => void, release: () => void) {
  return {
    gcTime: 0,
    onSuccess: (data: TData) => {
      take(data);
      release();
    },
  } as const;
}
