/** Loading API data into a page: loading / error / data, reload, and polling for live pages. */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Client } from "./api.ts";
import { useClient } from "./session.tsx";

export interface Query<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `key` changes, and again every `pollMs` while the tab is visible (live pages: running
 * syncs update without a reload). The last good data stays on screen while a poll fails.
 */
export function useQuery<T>(key: string, load: (client: Client) => Promise<T>, pollMs?: number): Query<T> {
  const client = useClient();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` reads; a new key reloads.
  useEffect(() => {
    let live = true;
    setState((current) => ({ ...current, loading: true, ...(tick === 0 ? { data: undefined } : {}) }));
    const run = () =>
      loader.current(client).then(
        (data) => live && setState({ data, error: undefined, loading: false }),
        (error: unknown) => live && setState((current) => ({ ...current, error, loading: false })),
      );
    void run();
    const timer =
      pollMs === undefined
        ? undefined
        : setInterval(() => {
            if (document.visibilityState === "visible") void run();
          }, pollMs);
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [client, key, tick, pollMs]);

  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { ...state, reload };
}

/** A button's async action: pending while it runs, its failure kept for display. */
export function useAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async <T>(action: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await action();
    } catch (failure) {
      setError(failure);
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { pending, error, run, clear: () => setError(undefined) };
}
