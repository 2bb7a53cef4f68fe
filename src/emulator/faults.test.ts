/** The fault plan: a pure function of (seed, request number), each knob drawn on its own. */
import { describe, expect, it } from "vitest";
import { FaultPlan } from "./faults.ts";

const kinds = (plan: FaultPlan, n: number) => Array.from({ length: n }, () => plan.next().action.kind);

describe("FaultPlan", () => {
  it("does nothing by default and always faults at rate 1", () => {
    expect(new Set(kinds(new FaultPlan({}, 1), 50))).toEqual(new Set(["none"]));
    expect(new Set(kinds(new FaultPlan({ dropRate: 1 }, 1), 10))).toEqual(new Set(["drop"]));
  });

  it("replays the same sequence for a seed, after restart, and another for another seed", () => {
    const settings = { rate429: 0.2, rate5xx: 0.2, dropRate: 0.1, htmlRate: 0.1, malformedRate: 0.1 };
    const plan = new FaultPlan(settings, 5);
    const first = kinds(plan, 200);
    plan.restart();
    expect(kinds(plan, 200)).toEqual(first);
    expect(kinds(new FaultPlan({ ...settings, seed: 5 }, 99), 200)).toEqual(first);
    expect(kinds(new FaultPlan(settings, 6), 200)).not.toEqual(first);
    const share = (kind: string) => first.filter((k) => k === kind).length / first.length;
    expect(share("drop")).toBeGreaterThan(0.03);
    expect(share("drop")).toBeLessThan(0.2);
  });

  it("keeps the sequence when knobs change, and refuses rates outside [0, 1]", () => {
    const plan = new FaultPlan({ latencyMs: 5 }, 1);
    plan.next();
    plan.configure({ rate5xx: 1 });
    const decision = plan.next();
    expect(decision.latencyMs).toBe(5);
    expect(decision.action.kind).toBe("server_error");
    expect(() => plan.configure({ rate429: 1.5 })).toThrow();
  });
});
