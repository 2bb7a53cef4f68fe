/**
 * The shared part of a provider's create checks (core/created-records.ts): each sent create is keyed (its
 * object, the field to look it up by, its value), creates of one object and field are looked up together,
 * and each gets its answer. Keys compare case-insensitively, as the CRMs match them. A key held by two
 * records is ambiguous; a create with no key cannot be checked: both are answered as such, never guessed at,
 * so the caller fails the row rather than risk a duplicate.
 */
import type { CreateCheck, SentCreate } from "../../core/index.ts";

/** What a create keys on: its object (or entity), the field looked up, and the create's value of it. */
export interface CreateKey {
  kind: string;
  field: string;
  value: string;
}

/**
 * Answers each create in order. `keyOf` gives a create's key, or why it has none; `lookup` finds the ids of
 * one kind's records by a field's values (keyed by the value in lower case).
 */
export async function checkCreatesByKey(
  creates: readonly SentCreate[],
  keyOf: (create: SentCreate) => CreateKey | string,
  lookup: (kind: string, field: string, values: readonly string[]) => Promise<ReadonlyMap<string, string[]>>,
): Promise<CreateCheck[]> {
  const results: CreateCheck[] = new Array(creates.length);
  const groups = new Map<
    string,
    { kind: string; field: string; items: { index: number; value: string }[] }
  >();
  creates.forEach((create, index) => {
    const key = keyOf(create);
    if (typeof key === "string") {
      results[index] = { unchecked: key };
      return;
    }
    const id = `${key.kind}\u0000${key.field}`;
    const group = groups.get(id) ?? { kind: key.kind, field: key.field, items: [] };
    group.items.push({ index, value: key.value });
    groups.set(id, group);
  });
  for (const group of groups.values()) {
    const found = await lookup(
      group.kind,
      group.field,
      group.items.map((item) => item.value),
    );
    for (const { index, value } of group.items) {
      const ids = [...new Set(found.get(value.toLowerCase()) ?? [])];
      results[index] =
        ids.length === 0
          ? { absent: true }
          : ids.length === 1
            ? { found: ids[0]! }
            : { ambiguous: ids, key: `${group.field} = ${value}` };
    }
  }
  return results;
}

/** A field's value as lookup text: trimmed, numbers as digits; undefined when empty or not a scalar. */
export function keyText(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
