import type { Database as SqliteHandle, Statement } from "better-sqlite3";
import type { SqliteDatabase } from "kysely";

/** Statements kept per database; the app issues a few dozen distinct ones. */
const MAX_STATEMENTS = 128;

/**
 * Kysely prepares every query afresh; compiling SQL is a real share of a sync's time (a batch upsert is
 * thousands of placeholders). This hands Kysely the same prepared statement for the same SQL text. Safe
 * because Kysely runs one statement at a time per connection and only streams through `.stream()`,
 * which this project does not use (an iterating statement could not be reused meanwhile).
 */
export function withStatementCache(database: SqliteHandle): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        // Re-insert so the map's order is least recently used first.
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
