import { describe, expect, it } from "vitest";
import { generateVaultKey, parseVaultKey, Vault } from "./vault.ts";

describe("Vault", () => {
  const keyA = parseVaultKey(generateVaultKey());
  const keyB = parseVaultKey(generateVaultKey());

  it("round-trips a secret without the plaintext in the sealed form", () => {
    const vault = new Vault(keyA);
    const sealed = vault.seal("pat-na1-super-secret");
    expect(sealed).not.toContain("super-secret");
    expect(sealed.split(".")[1]).toBe(keyA.id);
    expect(vault.open(sealed)).toBe("pat-na1-super-secret");
    expect(vault.seal("x")).not.toBe(vault.seal("x"));
  });

  it("opens secrets sealed by a previous key and knows they need re-sealing", () => {
    const old = new Vault(keyA).seal("s1");
    const rotated = new Vault(keyB, [keyA]);
    expect(rotated.open(old)).toBe("s1");
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.isCurrent(rotated.seal("s1"))).toBe(true);
  });

  it("refuses unknown keys, tampering and bad key material with clear errors", () => {
    const sealed = new Vault(keyA).seal("s1");
    expect(() => new Vault(keyB).open(sealed)).toThrow(/not loaded/);
    const parts = sealed.split(".");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => new Vault(keyA).open(parts.join("."))).toThrow(/integrity/);
    expect(() => parseVaultKey("short")).toThrow(/32 bytes/);
  });
});
