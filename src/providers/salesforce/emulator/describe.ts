/**
 * The metadata resources: `sobjects` (describeGlobal), `sobjects/{object}` (basic information) and
 * `sobjects/{object}/describe`, shaped as Salesforce answers them (the subset of keys jsforce and most
 * integrations read).
 */
import { CATALOG, type FieldSpec, isCustom, isWritable, type ObjectCatalogEntry } from "./catalog.ts";

const SOAP_TYPES: Record<FieldSpec["type"], string> = {
  id: "tns:ID",
  reference: "tns:ID",
  string: "xsd:string",
  email: "xsd:string",
  phone: "xsd:string",
  url: "xsd:string",
  textarea: "xsd:string",
  picklist: "xsd:string",
  boolean: "xsd:boolean",
  int: "xsd:int",
  double: "xsd:double",
  currency: "xsd:double",
  percent: "xsd:double",
  date: "xsd:date",
  datetime: "xsd:dateTime",
  address: "urn:address",
};

function urls(object: ObjectCatalogEntry, version: string) {
  const base = `/services/data/${version}/sobjects/${object.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function objectSummary(object: ObjectCatalogEntry, version: string) {
  return {
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: object.keyPrefix,
    custom: false,
    createable: !object.readOnly,
    updateable: !object.readOnly,
    deletable: object.deletable,
    queryable: true,
    retrieveable: true,
    searchable: true,
    replicateable: true,
    urls: urls(object, version),
  };
}

function describeField(field: FieldSpec) {
  const writable = isWritable(field, "create") || isWritable(field, "update");
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    soapType: SOAP_TYPES[field.type],
    length: field.length ?? (field.type === "id" || field.type === "reference" ? 18 : 0),
    custom: isCustom(field),
    nillable: field.nillable ?? true,
    createable: isWritable(field, "create"),
    updateable: isWritable(field, "update"),
    defaultedOnCreate: field.defaultedOnCreate ?? (!writable || field.type === "boolean"),
    calculated: field.calculated ?? false,
    filterable: field.type !== "address",
    sortable: field.type !== "address" && field.type !== "textarea",
    idLookup: field.type === "id" || field.externalId === true,
    unique: field.externalId === true,
    externalId: field.externalId === true,
    compoundFieldName: field.compoundFieldName ?? null,
    referenceTo: field.referenceTo ? [field.referenceTo] : [],
    relationshipName: field.referenceTo ? field.name.replace(/Id$/, "") : null,
    picklistValues: (field.picklist ?? []).map((value) => ({
      active: true,
      defaultValue: false,
      label: value,
      validFor: null,
      value,
    })),
  };
}

export function describeGlobal(version: string) {
  return {
    encoding: "UTF-8",
    maxBatchSize: 200,
    sobjects: CATALOG.map((object) => objectSummary(object, version)),
  };
}

export function basicInfo(object: ObjectCatalogEntry, version: string) {
  return { objectDescribe: objectSummary(object, version), recentItems: [] };
}

export function describeObject(object: ObjectCatalogEntry, version: string) {
  return {
    ...objectSummary(object, version),
    fields: object.allFields.map(describeField),
    childRelationships: [],
    recordTypeInfos: [],
    supportedScopes: [{ label: "All", name: "everything" }],
  };
}
