/** The action runner's pieces: input errors naming the field, refusals carrying the provider's words, and idempotency. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openTempStore } from "../../../test/helpers/temp-store.ts";
import {
  type ActionDefinition,
  ProviderRequestError,
  RequestInvalidError,
  SwitchyardError,
} from "../../core/index.ts";
import { ensureEnvironment } from "../../store/index.ts";
import { describeAction } from "./catalog.ts";
import { ActionRefusedError } from "./errors.ts";
import { answerIdempotently } from "./idempotency.ts";
import { findAction, parseActionInput } from "./run-action.ts";

const createThing: ActionDefinition = {
  name: "create_thing",
  description: "Create a thing",
  input: z
    .strictObject({ name: z.string().min(1), size: z.number().int().optional() })
    .meta({ examples: [{ name: "a" }] }),
  output: z.object({ id: z.string() }),
  run: async () => ({ id: "1" }),
};

describe("parseActionInput", () => {
  it("returns the parsed input", () => {
    expect(parseActionInput(createThing, { name: "a", size: 2 })).toEqual({ name: "a", size: 2 });
  });

  it("names each bad or unknown field under input", () => {
    const error = (() => {
      try {
        parseActionInput(createThing, { size: 1.5, colour: "red" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RequestInvalidError);
    expect((error as RequestInvalidError).issues.map((issue) => issue.path).sort()).toEqual([
      "input.colour",
      "input.name",
      "input.size",
    ]);
  });
});

describe("ActionRefusedError", () => {
  it("carries the provider's own message and status, not the wrapper's words", () => {
    const refusal = ActionRefusedError.from(
      new ProviderRequestError("HubSpot", 409, "Contact already exists. Existing ID: 4", { method: "POST" }),
      "create_contact",
    );
    expect(refusal).toMatchObject({
      code: "action_refused",
      provider: "HubSpot",
      providerStatus: 409,
      providerMessage: "Contact already exists. Existing ID: 4",
    });
    expect(refusal.message).toBe(
      "HubSpot refused create_contact (HTTP 409): Contact already exists. Existing ID: 4",
    );
  });
});

describe("findAction and describeAction", () => {
  const provider = { name: "thing", actions: [createThing] };
  const providers = { thing: provider } as never;

  it("finds an action, and names the provider's actions when there is no such one", () => {
    expect(findAction(providers, "thing", "create_thing").action).toBe(createThing);
    const unknown = (() => {
      try {
        findAction(providers, "thing", "delete_thing");
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toMatchObject({ code: "not_found", hint: "Its actions are: create_thing." });
    expect(() => findAction(providers, "nope", "create_thing")).toThrow(SwitchyardError);
  });

  it("describes input and output as JSON Schema, with the input's example", () => {
    const described = describeAction(createThing);
    expect(described.input_schema).toMatchObject({
      type: "object",
      required: ["name"],
      additionalProperties: false,
      examples: [{ name: "a" }],
    });
    expect(described.output_schema).toMatchObject({ properties: { id: { type: "string" } } });
  });
});

describe("answerIdempotently", () => {
  it("runs once per key and request, replays the answer, refuses the key for another request", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const environmentId = (await ensureEnvironment(store.db, "dev")).id;
      let runs = 0;
      const answer = async () => ({ status: 201, body: { n: ++runs } });
      const request = {
        environmentId,
        key: "k",
        method: "POST",
        path: "/x",
        connectionId: "c",
        body: { a: 1 },
      };
      expect(await answerIdempotently(store.db, request, answer)).toEqual({ status: 201, body: { n: 1 } });
      expect(await answerIdempotently(store.db, { ...request, body: { a: 1 } }, answer)).toEqual({
        status: 201,
        body: { n: 1 },
        headers: { "idempotent-replayed": "true" },
      });
      expect(runs).toBe(1);
      await expect(
        answerIdempotently(store.db, { ...request, body: { a: 2 } }, answer),
      ).rejects.toMatchObject({
        code: "idempotency_key_reused",
      });
      await expect(
        answerIdempotently(store.db, { ...request, connectionId: "d" }, answer),
      ).rejects.toMatchObject({
        code: "idempotency_key_reused",
      });
      // Without a key every request runs; a refused answer is not kept, so its key can be retried.
      await answerIdempotently(store.db, { ...request, key: undefined }, answer);
      const refused = { ...request, key: "k2" };
      expect(
        (await answerIdempotently(store.db, refused, async () => ({ status: 400, body: {} }))).status,
      ).toBe(400);
      expect((await answerIdempotently(store.db, refused, answer)).body).toEqual({ n: 3 });
      // A failed one neither.
      const failed = { ...request, key: "k3" };
      await expect(
        answerIdempotently(store.db, failed, () => Promise.reject(new Error("down"))),
      ).rejects.toThrow("down");
      expect((await answerIdempotently(store.db, failed, answer)).body).toEqual({ n: 4 });
      // A day later the key has expired: the same request runs again.
      const later = () => new Date(Date.now() + 25 * 3_600_000);
      expect((await answerIdempotently(store.db, request, answer, later)).body).toEqual({ n: 5 });
    } finally {
      await cleanup();
    }
  });
});
