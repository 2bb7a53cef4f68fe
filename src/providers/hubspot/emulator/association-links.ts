/**
 * Association writes over the emulator's model, where a contact or deal holds at most one company:
 * linking either way sets the company on the contact or deal (replacing the one it had), unlinking
 * clears it. Neither moves the record's `updatedAt`, as in HubSpot.
 */
import { EmulatorError } from "../../../emulator/errors.ts";
import { type AssociationKind, associationKind, OBJECT_SPECS, type ObjectTypeName } from "./catalog.ts";
import { numericId } from "./context.ts";
import type { Dataset } from "./dataset.ts";
import { validationError } from "./errors.ts";

/** Two live records of a pair of types HubSpot associates. */
export interface AssociationPair {
  kind: AssociationKind;
  fromId: number;
  toId: number;
}

/** An association type as v4 reads list it. */
export interface V4AssociationType {
  category: "HUBSPOT_DEFINED";
  typeId: number;
  label: string | null;
}

/** The association kind between two types, or HubSpot's 400 when there is none. */
export function kindBetween(from: ObjectTypeName, to: ObjectTypeName): AssociationKind {
  const kind = associationKind(from, to);
  if (!kind) throw validationError(`There are no associations defined from ${from} to ${to}.`);
  return kind;
}

/** Which end of a pair is missing, if any: `"from"`, `"to"` or undefined when both records are live. */
export function missingEnd(
  dataset: Dataset,
  kind: AssociationKind,
  fromRaw: string,
  toRaw: string,
): { end: "from" | "to"; id: string } | undefined {
  const fromId = numericId(fromRaw);
  if (fromId === undefined || !dataset.table(kind.from).isLive(fromId)) return { end: "from", id: fromRaw };
  const toId = numericId(toRaw);
  if (toId === undefined || !dataset.table(kind.to).isLive(toId)) return { end: "to", id: toRaw };
  return undefined;
}

/** The pair of live records, or a 404 naming the one that does not exist. */
export function livePair(
  dataset: Dataset,
  kind: AssociationKind,
  fromRaw: string,
  toRaw: string,
): AssociationPair {
  return { kind, fromId: liveId(dataset, kind, "from", fromRaw), toId: liveId(dataset, kind, "to", toRaw) };
}

/** The id of a live record at one end of a kind, or a 404 naming it. */
export function liveId(dataset: Dataset, kind: AssociationKind, end: "from" | "to", raw: string): number {
  const type = end === "from" ? kind.from : kind.to;
  const id = numericId(raw);
  if (id !== undefined && dataset.table(type).isLive(id)) return id;
  throw new EmulatorError(404, "OBJECT_NOT_FOUND", `No ${OBJECT_SPECS[type].singular} with id ${raw}.`, {
    context: { [`${end}ObjectId`]: [raw] },
  });
}

/**
 * Checks requested association types against the ones defined for the kind (primary and unlabeled,
 * HUBSPOT_DEFINED) and returns the labels the association then carries.
 */
export function labelsFor(
  kind: AssociationKind,
  specs: readonly { associationCategory: string; associationTypeId: number }[],
): string[] {
  if (specs.length === 0) throw validationError("At least one association type is required.");
  for (const spec of specs) {
    const known =
      spec.associationTypeId === kind.primaryTypeId || spec.associationTypeId === kind.unlabeledTypeId;
    if (!known || spec.associationCategory !== "HUBSPOT_DEFINED") {
      throw validationError(
        `${spec.associationCategory} association type ${spec.associationTypeId} is not defined from ${kind.from} to ${kind.to}; use HUBSPOT_DEFINED ${kind.primaryTypeId} (Primary) or ${kind.unlabeledTypeId} (unlabeled).`,
      );
    }
  }
  return specs.some((spec) => spec.associationTypeId === kind.primaryTypeId) ? ["Primary"] : [];
}

/** Links the pair: the contact or deal end now holds the company end. */
export function link(dataset: Dataset, pair: AssociationPair): void {
  const { holderType, holderId, companyId } = ends(pair);
  dataset.setCompanyOf(holderType, holderId, companyId);
}

/** Unlinks the pair if it is linked; otherwise nothing changes. */
export function unlink(dataset: Dataset, pair: AssociationPair): void {
  const { holderType, holderId, companyId } = ends(pair);
  if (dataset.table(holderType).companyIdOf(holderId) === companyId)
    dataset.setCompanyOf(holderType, holderId, null);
}

/** The types a v4 read lists for every association of this kind: primary and unlabeled. */
export function v4AssociationTypes(kind: AssociationKind): V4AssociationType[] {
  return [
    { category: "HUBSPOT_DEFINED", typeId: kind.primaryTypeId, label: "Primary" },
    { category: "HUBSPOT_DEFINED", typeId: kind.unlabeledTypeId, label: null },
  ];
}

/** The pair as v4 writes describe it (`LabelsBetweenObjectPair`); ids are JSON numbers, as in HubSpot. */
export function labelsBetween(pair: AssociationPair, labels: string[]) {
  return {
    fromObjectTypeId: OBJECT_SPECS[pair.kind.from].typeId,
    fromObjectId: pair.fromId,
    toObjectTypeId: OBJECT_SPECS[pair.kind.to].typeId,
    toObjectId: pair.toId,
    labels,
  };
}

function ends(pair: AssociationPair): { holderType: ObjectTypeName; holderId: number; companyId: number } {
  return pair.kind.from === "companies"
    ? { holderType: pair.kind.to, holderId: pair.toId, companyId: pair.fromId }
    : { holderType: pair.kind.from, holderId: pair.fromId, companyId: pair.toId };
}
