// The viewer's "Live" switch: an EventSource on the access log's stream. New rows wait in
// a queue and go on top of the grid at most LIVE_ROWS_PER_SECOND a second; while paused,
// or beyond that rate, they are counted as "N more" and shown on click or on resume. The
// browser reconnects by itself with Last-Event-ID, so a dropped connection loses nothing;
// a "gap" (too far behind) reloads the grid.
import { useCallback, useEffect, useRef, useState } from "react";
import { LIVE_ROWS_PER_SECOND } from "../../lib/access-logs/live";

export type LiveState = "off" | "connecting" | "live" | "reconnecting";

export function useLiveTail<Row extends { id: number }>({
  url,
  enabled,
  paused,
  onRows,
  onGap,
}: {
  url: string;
  enabled: boolean;
  paused: boolean;
  onRows: (rows: Row[]) => void;
  onGap: () => void;
}) {
  const [state, setState] = useState<LiveState>("off");
  const [waiting, setWaiting] = useState(0);
  const queue = useRef<Row[]>([]);
  const handlers = useRef({ onRows, onGap });
  handlers.current = { onRows, onGap };
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  /** Rows still allowed on screen this second. */
  const budget = useRef(LIVE_ROWS_PER_SECOND);

  const drain = useCallback(() => {
    if (pausedRef.current || queue.current.length === 0 || budget.current <= 0) return;
    const rows = queue.current.splice(0, budget.current);
    budget.current -= rows.length;
    setWaiting(queue.current.length);
    handlers.current.onRows(rows);
  }, []);

  useEffect(() => {
    queue.current = [];
    setWaiting(0);
    if (!enabled) {
      setState("off");
      return;
    }
    setState("connecting");
    const source = new EventSource(url);
    source.addEventListener("ready", () => setState("live"));
    source.addEventListener("entry", (e) => {
      queue.current.push(JSON.parse((e as MessageEvent<string>).data) as Row);
      setWaiting(queue.current.length);
      drain();
    });
    source.addEventListener("gap", () => {
      queue.current = [];
      setWaiting(0);
      handlers.current.onGap();
    });
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "off" : "reconnecting");
    return () => source.close();
  }, [url, enabled, drain]);

  const showAll = useCallback(() => {
    const rows = queue.current;
    queue.current = [];
    setWaiting(0);
    if (rows.length > 0) handlers.current.onRows(rows);
  }, []);

  // Resuming shows what came in while paused.
  const wasPaused = useRef(paused);
  useEffect(() => {
    if (wasPaused.current && !paused) showAll();
    wasPaused.current = paused;
  }, [paused, showAll]);

  useEffect(() => {
    if (!enabled || paused) return;
    const timer = setInterval(() => {
      budget.current = LIVE_ROWS_PER_SECOND;
      drain();
    }, 1000);
    return () => clearInterval(timer);
  }, [enabled, paused, drain]);

  // Rows not yet on screen: all of them while paused, else those beyond this second's share.
  return { state, waiting, showAll };
}
