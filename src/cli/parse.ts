import { ArgumentError, type LogLevel } from "../core/index.ts";

/** Commander value parser for a positive whole number. */
export function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError(`${flag} must be a whole number above 0, not "${value}".`);
    return n;
  };
}

/** Commander value parser for a TCP port: 0 (any free one) to 65535. */
export function portNumber(flag: string): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new ArgumentError(`${flag} must be a whole number from 0 to 65535, not "${value}".`);
    return port;
  };
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export function logLevel(value: string): LogLevel {
  if (!(LEVELS as readonly string[]).includes(value)) {
    throw new ArgumentError(`--level must be one of ${LEVELS.join(", ")}, not "${value}".`);
  }
  return value as LogLevel;
}
