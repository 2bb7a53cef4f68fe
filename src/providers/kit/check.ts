/**
 * The check call: one cheap authenticated request that proves a connection's credentials work. The HTTP
 * client turns a 401 or 403 into CredentialsRejectedError; any other failure keeps its own error.
 */
import type { HttpClient } from "../../core/index.ts";
import { buildRequest, type ParsedRequestSpec } from "./request.ts";

/** `checkCredentials` for a declared check request: resolves when the provider accepts the credentials. */
export function checkCall(request: ParsedRequestSpec): (http: HttpClient) => Promise<void> {
  return async (http) => {
    await http.request(buildRequest(request));
  };
}
