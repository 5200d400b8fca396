/**
 * What the gateway's secrets must be, checked once for the component (at render) and for the
 * program (at config time, before any resource exists): API keys HAProxy can hash and match, and
 * TLS material HAProxy can load (a certificate chain with the unencrypted private key of its first
 * certificate). Messages never quote a secret.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";

/** Why `key` cannot be an API key, or undefined. */
export function apiKeyProblem(key: string): string | undefined {
  if (/\s/.test(key)) return "a key cannot contain spaces or line breaks";
  if (!/^[\x21-\x7e]{16,128}$/.test(key))
    return "a key must be 16-128 printable characters without spaces (e.g. openssl rand -hex 24)";
  if (key.includes("/")) return "a key cannot contain '/' (it may travel as a path segment)";
  return undefined;
}

/** Holders named twice, and keys held by two holders (one could spend the other's rate). */
export function apiKeySetProblems(keys: ReadonlyArray<{ name: string; key: string }>): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const holderOf = new Map<string, string>();
  for (const { name, key } of keys) {
    if (names.has(name)) problems.push(`${name} is named twice; give each holder one entry`);
    names.add(name);
    const other = holderOf.get(key);
    if (other !== undefined && other !== name)
      problems.push(`${other} and ${name} hold the same key; give each holder its own (openssl rand -hex 24)`);
    holderOf.set(key, name);
  }
  return problems;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * Problems of a certificate chain and private key, by which of the two has them. The private key
 * must be unencrypted (HAProxy cannot ask for a passphrase) and belong to the first certificate.
 */
export function tlsProblems(certificate: string, privateKey: string): { certificate: string[]; privateKey: string[] } {
  const out = { certificate: [] as string[], privateKey: [] as string[] };
  if (/PRIVATE KEY-----/.test(certificate))
    out.certificate.push("holds a private key: give only the certificate chain here, the key as the secret");
  const blocks = certificate.match(PEM_CERTIFICATE) ?? [];
  let leaf: X509Certificate | undefined;
  if (!blocks.length) out.certificate.push("is not a PEM certificate chain (-----BEGIN CERTIFICATE----- ...)");
  blocks.forEach((pem, i) => {
    try {
      const parsed = new X509Certificate(pem);
      if (i === 0) leaf = parsed;
    } catch {
      out.certificate.push(`certificate ${i + 1} of the chain cannot be read (a damaged PEM block?)`);
    }
  });
  let key: ReturnType<typeof createPrivateKey> | undefined;
  if (/ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(privateKey))
    out.privateKey.push("is encrypted; HAProxy cannot ask for its passphrase: openssl pkey -in key.pem -out plain.pem");
  else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey))
    out.privateKey.push(
      "is not a PEM private key (a 'BEGIN ... PRIVATE KEY' block; a public key or certificate is not one)",
    );
  else
    try {
      key = createPrivateKey(privateKey);
    } catch {
      out.privateKey.push("cannot be read as a private key (a damaged PEM block?)");
    }
  if (leaf && key && !leaf.checkPrivateKey(key))
    out.privateKey.push(
      `is not the key of the certificate (${leaf.subject.replace(/\n/g, ", ")}); give the key it was issued for`,
    );
  return out;
}
