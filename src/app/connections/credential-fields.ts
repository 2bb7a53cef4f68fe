/**
 * The Connect form of a provider: the fields it declares (or those its auth scheme implies), and turning the
 * values an end user typed into Credentials, with one clear message per wrong field.
 */
import {
  type AuthScheme,
  type CredentialField,
  type Credentials,
  type FieldIssue,
  type ProviderDefinition,
  RequestInvalidError,
} from "../../core/index.ts";

const MAX_VALUE_LENGTH = 4_096;

/** What each scheme needs when the provider declares nothing more specific. */
const DEFAULT_FIELDS: Record<AuthScheme["type"], readonly CredentialField[]> = {
  bearer: [{ name: "token", label: "Access token", type: "secret" }],
  api_key: [{ name: "key", label: "API key", type: "secret" }],
  basic: [
    { name: "username", label: "Username", type: "text" },
    { name: "password", label: "Password", type: "secret" },
  ],
};

/** The Connect form's fields for a provider: declared, else derived from its auth scheme. */
export function credentialFieldsOf(provider: ProviderDefinition): readonly CredentialField[] {
  return provider.credentialFields ?? DEFAULT_FIELDS[provider.auth.type];
}

/**
 * Builds credentials of the provider's scheme from submitted values (trimmed). Throws RequestInvalidError
 * naming every missing, unknown, too long or mis-shaped field (`fields.<name>`); never echoes a value.
 */
export function credentialsFromFields(
  provider: ProviderDefinition,
  values: Readonly<Record<string, string>>,
): Credentials {
  const fields = credentialFieldsOf(provider);
  const issues: FieldIssue[] = [];
  const clean: Record<string, string> = {};
  for (const name of Object.keys(values)) {
    if (!fields.some((field) => field.name === name)) {
      issues.push({ location: "body", path: `fields.${name}`, message: "Unknown field for this provider." });
    }
  }
  for (const field of fields) {
    const value = (values[field.name] ?? "").trim();
    const problem = fieldProblem(field, value);
    if (problem) issues.push({ location: "body", path: `fields.${field.name}`, message: problem });
    clean[field.name] = value;
  }
  if (issues.length > 0)
    throw new RequestInvalidError(issues, `Correct the ${provider.displayName} details and try again.`);
  return toCredentials(provider.auth, clean);
}

function fieldProblem(field: CredentialField, value: string): string | undefined {
  if (value === "") return `Enter the ${field.label}.`;
  if (value.length > MAX_VALUE_LENGTH)
    return `The ${field.label} is longer than ${MAX_VALUE_LENGTH} characters.`;
  if (field.pattern && !new RegExp(`^(?:${field.pattern})$`).test(value)) {
    return `This doesn't look like a ${field.label}.${field.help ? ` ${field.help}` : ""}`;
  }
  return undefined;
}

function toCredentials(scheme: AuthScheme, values: Record<string, string>): Credentials {
  switch (scheme.type) {
    case "bearer":
      return { type: "bearer", token: values.token ?? "" };
    case "api_key":
      return { type: "api_key", key: values.key ?? "" };
    case "basic":
      return { type: "basic", username: values.username ?? "", password: values.password ?? "" };
  }
}
