import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { ConfigError, SwitchyardError } from "../core/index.ts";

/**
 * Credential encryption at rest: AES-256-GCM with a random 96-bit IV per secret.
 * A sealed secret names the id of the key that sealed it, so keys can rotate.
 * Format: `v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */
export interface VaultKey {
  /** Short, non-secret id derived from the key. */
  id: string;
  key: Buffer;
}

/** Parses a 32-byte key given as base64 or 64 hex characters; throws ConfigError otherwise. */
export function parseVaultKey(encoded: string): VaultKey {
  const trimmed = encoded.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new ConfigError(
      "SWITCHYARD_ENCRYPTION_KEY must be 32 bytes, as base64 or 64 hex characters.",
      "Generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"",
    );
  }
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 12), key };
}

/** A new random key, base64-encoded. */
export function generateVaultKey(): string {
  return randomBytes(32).toString("base64");
}

/** The keys a vault works with: one seals, all open. */
export interface KeyRing {
  current: VaultKey;
  previous: readonly VaultKey[];
}

export class Vault {
  private ring!: KeyRing;
  private readonly keys = new Map<string, VaultKey>();

  /**
   * `reload`, when given, re-reads the key ring; it is called once when a secret names a key this vault
   * does not know, so a running process picks up a rotation made by another one.
   */
  constructor(
    ring: KeyRing,
    private readonly reload?: () => KeyRing,
  ) {
    this.use(ring);
  }

  private use(ring: KeyRing): void {
    this.ring = ring;
    this.keys.clear();
    for (const key of [ring.current, ...ring.previous]) this.keys.set(key.id, key);
  }

  private get current(): VaultKey {
    return this.ring.current;
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** Encrypts a string; the result is safe to store. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [
      "v1",
      this.current.id,
      iv.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
      ciphertext.toString("base64url"),
    ].join(".");
  }

  /** Decrypts what `seal` produced with any known key; throws if the key is unknown or data was tampered with. */
  open(sealed: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(".");
    if (version !== "v1" || !keyId || !iv || !tag || ciphertext === undefined) {
      throw new SwitchyardError("config_invalid", "A stored secret is not in the vault's format.", {
        hint: "The database may have been edited by hand; re-enter the connection's credentials.",
      });
    }
    if (!this.keys.has(keyId) && this.reload) this.use(this.reload());
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SwitchyardError(
        "config_invalid",
        `A stored secret was sealed with key ${keyId}, which is not loaded.`,
        {
          hint: "Set SWITCHYARD_ENCRYPTION_KEY (or SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS during a rotation) to that key.",
        },
      );
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    } catch (error) {
      throw new SwitchyardError("config_invalid", "A stored secret failed its integrity check.", {
        hint: "The secret was altered or sealed with a different key; re-enter the connection's credentials.",
        cause: error,
      });
    }
  }

  /** Ids of every key this vault can open with, current first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Whether a sealed secret needs re-sealing under the current key. */
  isCurrent(sealed: string): boolean {
    return sealed.split(".")[1] === this.current.id;
  }
}
