import { setFlagsFromString } from "node:v8";

/** How much V8 may grow the old heap past what survived the last full collection, in percent. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Makes V8 grow the heap by 1.5× what is live instead of its default of up to 4×. A sync allocates fast
 * and keeps little (a batch of records' text), so the default lets garbage pile up to several times the
 * live data before collecting; this keeps the peak close to what is live, at a small cost in collection
 * time (measured in bench/sync-throughput, see docs/benchmarks.md). Only the growth factor changes: the
 * heap's maximum stays V8's default, so a large page still fits. Called once by each process entry point.
 */
export function tuneHeapForSyncing(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
