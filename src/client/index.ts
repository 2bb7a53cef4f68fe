export { ApiError, type ClientOptions, createClient, type SwitchyardClient } from "./client.ts";
export type {
  ErrorCodeOf,
  ListItem,
  ProblemOf,
  RequestInput,
  ResponseBody,
  Result,
  RouteAt,
} from "./types.ts";
