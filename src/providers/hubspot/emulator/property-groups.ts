/**
 * Property groups per object type: HubSpot's default groups (which cannot be archived) plus the ones
 * created through the API. A property names its group in `groupName`.
 */
import { OBJECT_TYPES, type ObjectTypeName } from "./catalog.ts";

/** A group as `/crm/v3/properties/{objectType}/groups` returns it. */
export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

const DEFAULT_GROUPS: Readonly<Record<ObjectTypeName, readonly [name: string, label: string][]>> = {
  contacts: [
    ["contactinformation", "Contact information"],
    ["emailinformation", "Email information"],
    ["conversioninformation", "Conversion information"],
  ],
  companies: [
    ["companyinformation", "Company information"],
    ["social_media_information", "Social media information"],
  ],
  deals: [
    ["dealinformation", "Deal information"],
    ["deal_activity", "Deal activity"],
  ],
};

export class PropertyGroups {
  private groups = new Map<ObjectTypeName, PropertyGroup[]>();

  constructor() {
    this.reset();
  }

  /** Back to HubSpot's default groups. */
  reset(): void {
    for (const type of OBJECT_TYPES) {
      this.groups.set(
        type,
        DEFAULT_GROUPS[type].map(([name, label], displayOrder) => ({
          name,
          label,
          displayOrder,
          archived: false,
        })),
      );
    }
  }

  list(type: ObjectTypeName): PropertyGroup[] {
    return this.groups.get(type)!.map((group) => ({ ...group }));
  }

  get(type: ObjectTypeName, name: string): PropertyGroup | undefined {
    const group = this.groups.get(type)!.find((candidate) => candidate.name === name);
    return group ? { ...group } : undefined;
  }

  /** True for the groups every account has. */
  isDefault(type: ObjectTypeName, name: string): boolean {
    return DEFAULT_GROUPS[type].some(([defaultName]) => defaultName === name);
  }

  /** Adds a group (the caller checked the name is free); it goes last unless an order is given. */
  create(type: ObjectTypeName, input: { name: string; label: string; displayOrder?: number }): PropertyGroup {
    const list = this.groups.get(type)!;
    const group = {
      name: input.name,
      label: input.label,
      displayOrder: input.displayOrder ?? list.length,
      archived: false,
    };
    list.push(group);
    return { ...group };
  }

  update(
    type: ObjectTypeName,
    name: string,
    patch: { label?: string; displayOrder?: number },
  ): PropertyGroup {
    const group = this.groups.get(type)!.find((candidate) => candidate.name === name)!;
    if (patch.label !== undefined) group.label = patch.label;
    if (patch.displayOrder !== undefined) group.displayOrder = patch.displayOrder;
    return { ...group };
  }

  archive(type: ObjectTypeName, name: string): void {
    this.groups.set(
      type,
      this.groups.get(type)!.filter((group) => group.name !== name),
    );
  }
}
