/** The Pipedrive emulator: start it, point a client at `url`, and steer it through its controls. */
export { customKey, ENTITIES, type Entity, type FieldDefinition, fieldDefinitions } from "./catalog.ts";
export { type ChangeRequest, DEFAULT_COUNTS } from "./dataset.ts";
export * from "./server.ts";
