export {
  createDuckDbDestination,
  type DuckDbDestination,
  type DuckDbDestinationOptions,
  type QueryParams,
  type QueryRow,
} from "./duckdb-destination.ts";
export { DuckDbFileLockedError, DuckDbQueryError } from "./errors.ts";
