/**
 * A hand-written stream read as a sequence of phases (a full list, then the changes since a cursor, then a
 * deleted-records list, …), each phase yielding pages with the state after them. The state says which
 * phase runs next, so a checkpoint taken after any page resumes in the right phase at the right place; a
 * phase ends by pointing the state at the next phase, or at none when the read is finished.
 */
import type { StreamPage, StreamState, SyncRecord } from "../../core/index.ts";

/** One page of a phase: its records and the state that resumes right after them. */
export interface PhasePage<S> {
  records: SyncRecord[];
  state: S;
}

/** A phase: reads from the state it is given, to its end. */
export type Phase<S> = (state: S) => AsyncIterable<PhasePage<S>>;

export interface PhaseSequence<S, P extends string> {
  /** The stream, to name it in errors (`acme contacts`). */
  stream: string;
  phases: Readonly<Record<P, Phase<S>>>;
  /** The phase a state continues with; undefined when the read is finished. */
  phaseOf(state: S): P | undefined;
  /** The state as a checkpoint (validated by the stream's state schema when it is loaded again). */
  toStreamState(state: S): StreamState;
}

/** Runs the phases from `initial` until none is left, yielding every page with its checkpoint. */
export async function* runPhases<S, P extends string>(
  sequence: PhaseSequence<S, P>,
  initial: S,
): AsyncGenerator<StreamPage> {
  let state = initial;
  for (let phase = sequence.phaseOf(state); phase !== undefined; phase = sequence.phaseOf(state)) {
    for await (const page of sequence.phases[phase](state)) {
      state = page.state;
      yield { records: page.records, state: sequence.toStreamState(state) };
    }
    // Every phase ends by moving on (or finishing); staying put would loop forever.
    if (sequence.phaseOf(state) === phase)
      throw new Error(`${sequence.stream}: phase ${phase} did not advance`);
  }
}
