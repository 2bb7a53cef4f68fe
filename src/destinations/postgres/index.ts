export {
  createPostgresDestination,
  DEFAULT_WAREHOUSE_SCHEMA,
  type PostgresDestination,
  type PostgresDestinationOptions,
} from "./postgres-destination.ts";
