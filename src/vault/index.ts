export { forgetPreviousKeys, loadVault, readKeyRing, rotateKeyFiles } from "./key-file.ts";
export { generateVaultKey, type KeyRing, parseVaultKey, Vault, type VaultKey } from "./vault.ts";
