export { loadVault } from "./key-file.ts";
export { generateVaultKey, parseVaultKey, Vault, type VaultKey } from "./vault.ts";
