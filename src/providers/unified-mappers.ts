import { MapperRegistry } from "../unified/mappers.ts";
import { hubspotMappers } from "./hubspot/unified/index.ts";
import { pipedriveMappers } from "./pipedrive/unified/index.ts";
import { salesforceMappers } from "./salesforce/unified/index.ts";

/** Every built-in provider's unified mappers. A provider that maps Common Models adds one line here. */
export const unifiedMappers = new MapperRegistry([
  ...hubspotMappers,
  ...pipedriveMappers,
  ...salesforceMappers,
]);
