/**
 * Reverse ETL's create checks for Salesforce (core/created-records.ts). A create whose answer was lost is
 * looked up with one SOQL query per object and up to 200 keys (`WHERE Email IN (...)`, lookup.ts): by the
 * sync's natural-key field when the create sets it, else by the object's identifying field (a Contact's
 * Email, an Account's or Opportunity's Name). A sync that matches on an External ID field of the object
 * creates through sObject Collections upsert on it instead (`batch_upsert_*`), idempotent by nature; whether
 * the field is one is read from the org's describe.
 */
import type { CreatedRecordChecks } from "../../core/index.ts";
import { checkCreatesByKey, keyText } from "../kit/index.ts";
import { findIdsByField, isExternalIdField } from "./lookup.ts";

/** The object each create action makes, and the field that identifies its records. */
const CREATES: Record<string, { object: string; field: string }> = {
  create_contact: { object: "Contact", field: "Email" },
  create_account: { object: "Account", field: "Name" },
  create_opportunity: { object: "Opportunity", field: "Name" },
};

export const salesforceCreatedRecords: CreatedRecordChecks = {
  check: (http, creates, keyField) =>
    checkCreatesByKey(
      creates,
      (create) => {
        const spec = CREATES[create.action];
        if (!spec) return `Salesforce's ${create.action} has no lookup key.`;
        const field = keyField !== undefined && keyText(create.input[keyField]) ? keyField : spec.field;
        const value = keyText(create.input[field]);
        return value === undefined
          ? `the create sets no ${field} to look its record up by; map a column to ${field} (or match on a natural key the create sets)`
          : { kind: spec.object, field, value };
      },
      (object, field, values) => findIdsByField(http, object, field, values),
    ),
  async upsertActionFor(http, create, field) {
    const object = CREATES[create]?.object;
    if (!object) return undefined;
    return (await isExternalIdField(http, object, field)) ? create.replace(/^create_/, "upsert_") : undefined;
  },
};
