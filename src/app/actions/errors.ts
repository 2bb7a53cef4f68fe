/** The typed errors of running actions. */
import { type ProviderRequestError, SwitchyardError } from "../../core/index.ts";

/**
 * The provider refused a write (a 4xx other than 401/403/429): the input was not one it accepts. Carries the
 * provider's own message (already redacted by the HTTP client; never credentials) and its status.
 */
export class ActionRefusedError extends SwitchyardError {
  readonly provider: string;
  readonly action: string;
  readonly providerStatus: number;
  readonly providerMessage: string;

  constructor(provider: string, action: string, providerStatus: number, providerMessage: string) {
    super("action_refused", `${provider} refused ${action} (HTTP ${providerStatus}): ${providerMessage}`, {
      hint: "Nothing was written. The provider's message says what it wanted; fix the input and send it again.",
      details: { provider, action, status: providerStatus },
    });
    this.provider = provider;
    this.action = action;
    this.providerStatus = providerStatus;
    this.providerMessage = providerMessage;
  }

  /** The refusal a ProviderRequestError describes, for this action. */
  static from(error: ProviderRequestError, action: string): ActionRefusedError {
    const details = error.details ?? {};
    const provider = typeof details.provider === "string" ? details.provider : "The provider";
    const status = typeof details.status === "number" ? details.status : 400;
    // ProviderRequestError's message is "<provider> rejected the request (HTTP <status>): <provider's words>".
    const message = /\(HTTP \d+\): ([\s\S]*)$/.exec(error.message)?.[1] ?? error.message;
    return new ActionRefusedError(provider, action, status, message);
  }
}

/** `provider` has no action named `action`. */
export function unknownActionError(
  provider: string,
  action: string,
  known: readonly string[],
): SwitchyardError {
  return new SwitchyardError("not_found", `${provider} has no action "${action}".`, {
    hint: known.length > 0 ? `Its actions are: ${known.join(", ")}.` : `${provider} has no actions yet.`,
    details: { provider, action },
  });
}
