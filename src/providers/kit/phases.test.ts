import { describe, expect, it } from "vitest";
import { type Phase, type PhaseSequence, runPhases } from "./phases.ts";

interface State {
  phase?: "list" | "deleted";
  page?: number;
}

/** Two pages of `list`, then one of `deleted`, then done. */
const PHASES: Record<"list" | "deleted", Phase<State>> = {
  list: async function* (state) {
    for (let page = state.page ?? 0; page < 2; page++) {
      yield {
        records: [{ id: `l${page}` }],
        state: page < 1 ? { phase: "list", page: page + 1 } : { phase: "deleted" },
      };
    }
  },
  deleted: async function* () {
    yield { records: [{ id: "d0", deleted: true }], state: {} };
  },
};

const sequence = (phases = PHASES): PhaseSequence<State, "list" | "deleted"> => ({
  stream: "acme.things",
  phases,
  phaseOf: (state) => state.phase,
  toStreamState: (state) => ({ ...state }),
});

async function readAll(initial: State, phases = PHASES) {
  const pages = [];
  for await (const page of runPhases(sequence(phases), initial)) pages.push(page);
  return pages;
}

describe("runPhases", () => {
  it("runs the phases in the order the states point, yielding each page with its checkpoint", async () => {
    const pages = await readAll({ phase: "list" });
    expect(pages.map((page) => page.records.map((record) => record.id))).toEqual([["l0"], ["l1"], ["d0"]]);
    expect(pages.map((page) => page.state)).toEqual([{ phase: "list", page: 1 }, { phase: "deleted" }, {}]);
  });

  it("resumes in the phase and at the place a checkpoint says", async () => {
    const pages = await readAll({ phase: "list", page: 1 });
    expect(pages.flatMap((page) => page.records.map((record) => record.id))).toEqual(["l1", "d0"]);
    expect(await readAll({})).toEqual([]);
  });

  it("fails, naming the stream and the phase, when a phase ends without moving on", async () => {
    const stuck = { ...PHASES, deleted: async function* () {} };
    await expect(readAll({ phase: "deleted" }, stuck)).rejects.toThrow(
      "acme.things: phase deleted did not advance",
    );
  });
});
