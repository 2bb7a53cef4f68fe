import { WriterRegistry } from "../unified/writers.ts";
import { hubspotWriters } from "./hubspot/unified/writes.ts";
import { pipedriveWriters } from "./pipedrive/unified/writes.ts";
import { salesforceWriters } from "./salesforce/unified/writes.ts";

/** Every built-in provider's unified writers. A provider that writes Common Models adds one line here. */
export const unifiedWriters = new WriterRegistry([
  ...hubspotWriters,
  ...pipedriveWriters,
  ...salesforceWriters,
]);
