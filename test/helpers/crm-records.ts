/**
 * Records seeded into, and read back from, the Pipedrive and Salesforce emulators through their own APIs, for
 * tests that check what a sync did there (counts and contents at the emulator).
 */
import type { EmulatorHandle } from "../../src/core/index.ts";
import { DATA_PATH } from "../../src/providers/salesforce/api.ts";
import { liveRows } from "./emulator-counts.ts";

const pipedriveKey = (pd: EmulatorHandle) => (pd.credentials as { key: string }).key;
const salesforceToken = (sf: EmulatorHandle) => (sf.credentials as { token: string }).token;

async function json(response: Response, what: string): Promise<Record<string, unknown>> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Creates a Pipedrive record (API v2, `persons` or `organizations`) and answers its id. */
export async function createPipedriveRecord(
  pd: EmulatorHandle,
  entity: "persons" | "organizations",
  body: Record<string, unknown>,
): Promise<number> {
  const response = await fetch(`${pd.url}/api/v2/${entity}`, {
    method: "POST",
    headers: { "x-api-token": pipedriveKey(pd), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return ((await json(response, `create in ${entity}`)).data as { id: number }).id;
}

/** Creates a Pipedrive person with one email and answers its id. */
export const createPipedrivePerson = (pd: EmulatorHandle, name: string, email: string) =>
  createPipedriveRecord(pd, "persons", { name, emails: [{ value: email, primary: true }] });

/** Deletes a Pipedrive person (API v2). */
export async function deletePipedrivePerson(pd: EmulatorHandle, id: string): Promise<void> {
  const response = await fetch(`${pd.url}/api/v2/persons/${id}`, {
    method: "DELETE",
    headers: { "x-api-token": pipedriveKey(pd) },
  });
  await json(response, "delete person");
}

/** Pipedrive's live persons (as API v2 lists them) whose first email ends with `@domain`. */
export async function pipedrivePersons(
  pd: EmulatorHandle,
  domain: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const url = `${pd.url}/api/v2/persons?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const body = await json(await fetch(url, { headers: { "x-api-token": pipedriveKey(pd) } }), "persons");
    for (const person of body.data as { emails?: { value: string }[] }[]) {
      if (person.emails?.[0]?.value.toLowerCase().endsWith(`@${domain}`)) out.push(person);
    }
    cursor = (body.additional_data as { next_cursor?: string | null } | undefined)?.next_cursor ?? null;
  } while (cursor);
  return out;
}

/** Creates a Salesforce record (`Contact`, `Account`…) and answers its Id. */
export async function createSalesforceRecord(
  sf: EmulatorHandle,
  object: string,
  fields: Record<string, unknown>,
): Promise<string> {
  const response = await fetch(`${sf.url}${DATA_PATH}/sobjects/${object}`, {
    method: "POST",
    headers: { authorization: `Bearer ${salesforceToken(sf)}`, "content-type": "application/json" },
    body: JSON.stringify(fields),
  });
  return (await json(response, `create ${object}`)).id as string;
}

/** Deletes a Salesforce Contact. */
export async function deleteSalesforceContact(sf: EmulatorHandle, id: string): Promise<void> {
  const response = await fetch(`${sf.url}${DATA_PATH}/sobjects/Contact/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${salesforceToken(sf)}` },
  });
  if (response.status !== 204) throw new Error(`delete Contact: HTTP ${response.status}`);
}

/** The org's live Contacts whose email ends with `@domain`. */
export async function salesforceContacts(
  sf: EmulatorHandle,
  domain: string,
): Promise<Record<string, unknown>[]> {
  return (await liveRows(sf.url, "Contact")).filter((record) =>
    String(record.Email ?? "")
      .toLowerCase()
      .endsWith(`@${domain}`),
  );
}
