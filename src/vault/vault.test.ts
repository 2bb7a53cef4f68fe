import { describe, expect, it } from "vitest";
import { generateVaultKey, parseVaultKey, Vault } from "./vault.ts";

describe("Vault", () => {
  const keyA = parseVaultKey(generateVaultKey());
  const keyB = parseVaultKey(generateVaultKey());

  it("round-trips a secret without the plaintext in the sealed form", () => {
    const vault = new Vault({ current: keyA, previous: [] });
    const sealed = vault.seal("pat-na1-super-secret");
    expect(sealed).not.toContain("super-secret");
    expect(sealed.split(".")[1]).toBe(keyA.id);
    expect(vault.open(sealed)).toBe("pat-na1-super-secret");
    expect(vault.seal("x")).not.toBe(vault.seal("x"));
  });

  it("opens secrets sealed by a previous key and knows they need re-sealing", () => {
    const old = new Vault({ current: keyA, previous: [] }).seal("s1");
    const rotated = new Vault({ current: keyB, previous: [keyA] });
    expect(rotated.open(old)).toBe("s1");
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.isCurrent(rotated.seal("s1"))).toBe(true);
  });

  it("reloads its key ring once when a secret names a key it does not know yet", () => {
    const sealedByNewKey = new Vault({ current: keyB, previous: [keyA] }).seal("rotated elsewhere");
    let reloads = 0;
    const stale = new Vault({ current: keyA, previous: [] }, () => {
      reloads += 1;
      return { current: keyB, previous: [keyA] };
    });
    expect(stale.open(sealedByNewKey)).toBe("rotated elsewhere");
    expect(stale.currentKeyId).toBe(keyB.id);
    expect(reloads).toBe(1);
  });

  it("refuses unknown keys, tampering and bad key material with clear errors", () => {
    const sealed = new Vault({ current: keyA, previous: [] }).seal("s1");
    expect(() => new Vault({ current: keyB, previous: [] }).open(sealed)).toThrow(/not loaded/);
    const parts = sealed.split(".");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => new Vault({ current: keyA, previous: [] }).open(parts.join("."))).toThrow(/integrity/);
    expect(() => parseVaultKey("short")).toThrow(/32 bytes/);
  });
});
