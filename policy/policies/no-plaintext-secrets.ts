/**
 * Resource policy `no-plaintext-secrets`: no secret-looking value (a JWT, a private key, an API key
 * or a URL carrying one, an engine-API secret under a secret-sounding name) in a resource's inputs
 * unless it is a Pulumi secret; plaintext inputs land unencrypted in the state and in every log.
 *
 * The policy engine hands policies secrets already unwrapped (pulumi/pulumi-policy#241); the pack
 * keeps them wrapped (see ../secrets.ts), so a value inside a `Secret` wrapper is skipped here.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN } from "../../core/resources";
import { message } from "../lib";

interface Pattern {
  what: string;
  test: (value: string, key: string) => boolean;
}

const SECRET_NAME = /(jwt|secret|token|password|passwd|api[-_]?key|private[-_]?key|credential)/i;

/** What counts as secret-looking. Hashes (64 hex) alone are not: triggers and checksums look like that. */
export const PATTERNS: Pattern[] = [
  { what: "a private key", test: (v) => /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/.test(v) },
  { what: "a JSON Web Token", test: (v) => /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/.test(v) },
  { what: "an AWS access key", test: (v) => /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/.test(v) },
  { what: "a GitHub token", test: (v) => /\bgh[pousr]_[A-Za-z0-9]{36,}\b/.test(v) },
  { what: "a Google API key", test: (v) => /\bAIza[0-9A-Za-z_-]{35}\b/.test(v) },
  { what: "a Slack token", test: (v) => /\bxox[abprs]-[A-Za-z0-9-]{10,}/.test(v) },
  {
    what: "an RPC URL with an API key",
    test: (v) =>
      /https?:\/\/[^\s"']*(?:infura\.io\/v3|alchemy\.com\/v2|quiknode\.pro|ankr\.com\/[a-z_]+)\/[A-Za-z0-9_-]{16,}/.test(
        v,
      ),
  },
  {
    what: "a secret assigned in text",
    test: (v) =>
      /\b[A-Za-z_]*(?:JWT|SECRET|TOKEN|PASSWORD|API_?KEY)[A-Za-z_]*\s*[=:]\s*["']?[A-Za-z0-9+/_=-]{24,}/i.test(v),
  },
  {
    what: "a 32-byte hex secret under a secret-sounding name",
    test: (v, key) => SECRET_NAME.test(key) && /^(?:0x)?[0-9a-fA-F]{64}$/.test(v.trim()),
  },
];

/** A value the engine marked secret (the pack's Secret wrapper; duck-typed so either copy of @pulumi/policy fits). */
export function isSecretWrapper(v: unknown): boolean {
  return !!v && typeof v === "object" && (v as object).constructor?.name === "Secret" && "value" in (v as object);
}

const PROXY_TARGET = "__getSpecialProxyTarget";
/** The plain data under the policy engine's proxies, where secrets are still wrapped. */
function raw(v: any): any {
  for (let i = 0; i < 4 && v && typeof v === "object"; i++) {
    const target = v[PROXY_TARGET];
    if (!target || target === v) break;
    v = target;
  }
  return v;
}

export interface Finding {
  path: string;
  what: string;
}

/** Every plaintext string in `props` that matches a pattern, by property path. */
export function plaintextSecrets(props: unknown): Finding[] {
  const out: Finding[] = [];
  const walk = (v: any, path: string, key: string) => {
    v = raw(v);
    if (isSecretWrapper(v)) return;
    if (typeof v === "string") {
      if (v === UNKNOWN) return;
      const hit = PATTERNS.find((p) => p.test(v, key));
      if (hit) out.push({ path: path || "(value)", what: hit.what });
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, key));
    else if (v && typeof v === "object") for (const k of Object.keys(v)) walk(v[k], path ? `${path}.${k}` : k, k);
  };
  walk(props, "", "");
  return out;
}

export const noPlaintextSecrets: ResourceValidationPolicy = {
  name: "no-plaintext-secrets",
  description: "No JWTs, private keys or API keys in plaintext resource inputs: pass them as Pulumi secrets.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Wrap the value with pulumi.secret(...) or read it with config.requireSecret(...) after " +
    "`pulumi config set --secret <key>`; rotate any key that was already stored in plaintext state.",
  validateResource: (args, report) => {
    for (const f of plaintextSecrets(args.props)) {
      report(
        message(
          "Plaintext secret",
          `${args.name} (${args.type})`,
          `${f.path} holds ${f.what} outside a Pulumi secret`,
          "make the value a Pulumi secret (pulumi.secret or config.requireSecret) and rotate it",
        ),
      );
    }
  },
};
