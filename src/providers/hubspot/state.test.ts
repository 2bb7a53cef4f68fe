/**
 * HubSpot's CRM state is built from kit pieces (search cursor, deleted list); checkpoints of every phase
 * written before that keep loading unchanged, and what is not a checkpoint is refused.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, type JsonObject } from "../../core/index.ts";
import { hubspotStateSchema, parseState, toStreamState } from "./state.ts";

const since = "2025-03-01T10:00:00.000Z";
const associations = { width: 500, digests: { "0": "3.1a2b", "2": "1.zz" } };

/** One checkpoint per position, as the connector wrote them before the kit's pieces. */
const CHECKPOINTS: JsonObject[] = [
  { since },
  { since, sinceIds: ["11", "12"], archivedSince: "2025-02-01T00:00:00.000Z", associations },
  { since, associations, position: { phase: "associations" } },
  {
    since,
    associations,
    position: {
      phase: "reassociate",
      spans: [
        [0, 1],
        [4, 4],
      ],
      afterId: "730",
    },
  },
  { since, position: { phase: "list", after: "1201" } },
  { since, sinceIds: ["5"], position: { phase: "changes" } },
  { since, sinceIds: [], position: { phase: "changes", tieAfterId: "0" } },
  { since, position: { phase: "archived", after: "300", seenUntil: "2025-02-03T00:00:00.000Z" } },
  { since, position: { phase: "archived" } },
];

describe("the HubSpot CRM state", () => {
  it("loads every checkpoint kind unchanged, and writes it back the same", () => {
    for (const checkpoint of CHECKPOINTS) {
      const loaded = parseState("contacts", checkpoint);
      expect(loaded).toEqual(checkpoint);
      const { sinceIds, ...rest } = checkpoint as { sinceIds?: string[] };
      expect(toStreamState(loaded!)).toEqual(sinceIds?.length ? checkpoint : rest);
    }
  });

  it("refuses a corrupt or foreign checkpoint with the way out", () => {
    const bad: JsonObject[] = [
      { since: "yesterday" },
      { since, position: { phase: "changes", tieAfterId: 4 } },
      { since, position: { phase: "archived", seenUntil: "soon" } },
      { highWater: since },
    ];
    for (const state of bad) {
      expect(hubspotStateSchema.safeParse(state).success).toBe(false);
      expect(() => parseState("deals", state)).toThrow(ConfigError);
    }
  });
});
