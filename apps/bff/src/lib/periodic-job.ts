// A background job run at start-up and then every `everyMs` (retention purge, orphan and
// upload sweeps, auth housekeeping). One run at a time: a tick that finds one still going
// shares it. A failed run is reported through `onError` and retried at the next tick.
// Timers are unref'd, so the job never holds the process open; stop() waits for a run in
// progress, so shutdown never cuts one off halfway.

export type PeriodicJob<T> = {
  /** Runs now (or joins the run in progress); null when it failed or the job is stopped. */
  runNow: () => Promise<T | null>;
  /** The run in progress, if any. */
  running: () => Promise<T | null> | undefined;
  stop: () => Promise<void>;
};

export function startPeriodicJob<T>(
  work: () => Promise<T>,
  onError: (e: unknown) => void,
  everyMs: number,
  /** "now": the first run starts before this returns; "soon": on the next turn of the event loop. */
  firstRun: "now" | "soon",
): PeriodicJob<T> {
  let running: Promise<T | null> | undefined;
  let stopped = false;
  const run = (): Promise<T | null> => {
    if (stopped) return Promise.resolve(null);
    running ??= (async () => {
      try {
        return await work();
      } catch (e) {
        onError(e);
        return null;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const first = firstRun === "now" ? (void run(), undefined) : setTimeout(() => void run(), 0).unref();
  const timer = setInterval(() => void run(), everyMs).unref();
  return {
    runNow: run,
    running: () => running,
    stop: async () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
