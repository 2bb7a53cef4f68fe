/**
 * Running a provider's typed action for one connection: the input is validated against the action's schema,
 * the action runs through the connection's authenticated HTTP client (retries, the account's rate-limit
 * budget and OAuth2 token refresh apply, as in syncs), and its output is validated before anyone sees it.
 */
import { z } from "zod";
import {
  type ActionDefinition,
  describeIssues,
  type FieldIssue,
  type ProviderDefinition,
  ProviderRequestError,
  ProviderResponseError,
  RequestInvalidError,
  SwitchyardError,
} from "../../core/index.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { withConnectionHttp } from "../connections/connection-http.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { loggingHttp, type ProviderCallLog } from "./call-log.ts";
import { ActionRefusedError, unknownActionError } from "./errors.ts";

export type ActionDeps = Pick<PlatformDeps, "db" | "vault" | "providers" | "providerSettings" | "checkHttp">;

/** A provider's action by name; unknown_provider or not_found naming the ones that exist. */
export function findAction(
  providers: PlatformDeps["providers"],
  providerName: string,
  actionName: string,
): { provider: ProviderDefinition; action: ActionDefinition } {
  const provider = findProvider(providers, providerName);
  const actions = provider.actions ?? [];
  const action = actions.find((candidate) => candidate.name === actionName);
  if (!action)
    throw unknownActionError(
      provider.name,
      actionName,
      actions.map((a) => a.name),
    );
  return { provider, action };
}

/** The action's input schema as zod, when it is one (every built-in action's is). */
export function zodSchemaOf(schema: unknown): z.ZodType | undefined {
  return schema instanceof z.ZodType ? schema : undefined;
}

/**
 * The input as the action takes it, or a request_invalid naming each bad field under `path` (`input.email`),
 * so the caller sees which field to fix.
 */
export function parseActionInput<I>(action: ActionDefinition<I>, input: unknown, path = "input"): I {
  const schema = zodSchemaOf(action.input);
  if (!schema) return action.input.parse(input);
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data as I;
  const issues: FieldIssue[] = parsed.error.issues.flatMap((issue) => {
    const at = [path, ...issue.path.map(String)].filter(Boolean).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        location: "body" as const,
        path: at ? `${at}.${key}` : key,
        message: `Unknown field; ${action.name} does not take it.`,
      }));
    }
    return [{ location: "body" as const, path: at, message: issue.message }];
  });
  throw new RequestInvalidError(
    issues,
    `Fix the fields listed in \`errors\`; GET /v1/providers/{provider}/actions shows what ${action.name} takes.`,
  );
}

/**
 * Runs `actionName` of the connection's provider with `input` and returns its validated output. Throws
 * request_invalid for a bad input, action_refused with the provider's message when the provider refuses the
 * write, credentials_rejected, provider_unavailable (retries ran out) or provider_response_malformed.
 */
export async function runAction(
  deps: ActionDeps,
  connection: ConnectionRow,
  actionName: string,
  input: unknown,
  /** When given, each provider call the action makes is appended to it (Merge's `is_debug_mode` logs). */
  callLog?: ProviderCallLog[],
): Promise<unknown> {
  const { provider, action } = findAction(deps.providers, connection.provider, actionName);
  const parsed = parseActionInput(action, input);
  return withConnectionHttp(deps, connection, async (connectionHttp) => {
    const http = callLog ? loggingHttp(connectionHttp, connection.id, callLog) : connectionHttp;
    try {
      return action.output.parse(await action.run(http, parsed));
    } catch (error) {
      throw typedActionError(error, provider, action);
    }
  });
}

/** What an action threw, as the typed error callers handle. */
function typedActionError(error: unknown, provider: ProviderDefinition, action: ActionDefinition): unknown {
  if (error instanceof ProviderRequestError) return ActionRefusedError.from(error, action.name);
  // An output (or a response body inside the action) that is not what the action promises.
  if (error instanceof z.core.$ZodError) {
    return new ProviderResponseError(
      provider.displayName,
      `${action.name}'s answer has an unexpected shape (${describeIssues(error.issues, { max: 3, root: "body" })})`,
      { action: action.name },
    );
  }
  if (error instanceof SwitchyardError) return error;
  return new SwitchyardError("internal", `${provider.name}'s ${action.name} failed unexpectedly.`, {
    hint: "This is a bug in the action's definition; the server log has the cause.",
    cause: error,
  });
}
