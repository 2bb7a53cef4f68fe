/**
 * Memory tuning for the processes Switchyard starts (`npm start`, the `switchyard` CLI). Each entry point
 * imports this module first, for its effect: DuckDB's allocator reads its settings from the environment
 * when the library loads, so they must be in place before anything imports DuckDB. V8's young generation
 * size can only be set when Node starts, so bin/switchyard.js and `npm start` pass
 * `--max-semi-space-size=4` themselves. Measured in bench/sync-throughput (see docs/benchmarks.md).
 */
import { setFlagsFromString } from "node:v8";

/**
 * V8 grows the old heap to 2× what survived the last full collection instead of up to 4×. A sync
 * allocates fast and keeps little (a batch of records' text), so the default lets garbage pile up to
 * several times the live data. Only the growth factor changes: the heap's maximum stays V8's default.
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * DuckDB's bundled jemalloc keeps freed memory for a second before returning it, and treats allocations
 * under 256 MB as ordinary, so each upsert's transient buffers stay resident. From one block (256 KiB)
 * up, allocations are returned to the system as soon as they are freed. Smaller freed pages still wait
 * their second ("dirty", reusable at no cost), but then go back at once instead of being handed to the
 * kernel lazily (MADV_FREE), which leaves them counted in the process's memory for another second
 * ("muzzy": ~6 MB at a sync's peak, by jemalloc's own stats). A value the user set wins.
 */
export const DUCKDB_ALLOCATOR_CONFIG = "oversize_threshold:262144,muzzy_decay_ms:0";

setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
process.env.DUCKDB_JE_MALLOC_CONF ??= DUCKDB_ALLOCATOR_CONFIG;
