/** X25519 public keys of WireGuard private keys, with node:crypto (what `wg pubkey` computes). */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { isWireGuardKey } from "./wg-config";

/** PKCS#8 DER prefix of a raw 32-byte X25519 private key (RFC 8410). */
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

/** The base64 public key of a base64 WireGuard private key. */
export function wireGuardPublicKey(privateKey: string): string {
  const key = privateKey.trim();
  if (!isWireGuardKey(key)) throw new Error("not a base64 WireGuard private key (32 bytes, 44 characters)");
  const priv = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519, Buffer.from(key, "base64")]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(priv).export({ format: "der", type: "spki" });
  return spki.subarray(spki.length - 32).toString("base64");
}
