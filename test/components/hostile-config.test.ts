/**
 * Stack config that used to pass and then fail mid-deploy or deploy something unsafe: each is
 * refused by readConfig (before any resource exists) naming its `sovereign:` key and the fix, and
 * never quoting a secret.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { installMocks, loadStackConfig } from "./harness";
import { selfSignedCertificate } from "../gateway/processes";
import { GATEWAY_TIMEOUTS } from "../../core/gateway/types";

const h = installMocks("hostile-config");
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH";
const SSH_KEY = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const TLS = selfSignedCertificate("rpc.example.org");
const OTHER_TLS = selfSignedCertificate("other.example.org");
const KEY = "wallet-key-0123456789abcdef";
const spec = {
  name: "hostile",
  chains: [{ chain: "ethereum", network: "hoodi", count: 5 }],
  sites: { aws: { regions: ["eu-central-1"] }, gcp: { regions: ["europe-west3"] } },
  gateways: { count: 2, sites: ["aws", "gcp"] },
};
const server = (name: string, operator: string, address: string) => ({
  name,
  operator,
  address,
  ssh: { user: "root", port: 22, hostKey: HOST_KEY },
});
const dns = {
  hostname: "rpc.example.org",
  route53: { zoneId: "Z0123456789" },
  selfHosted: { zone: "rpc.example.org", servers: [server("ns1.rpc.example.org", "hetzner", "203.0.113.8")] },
};
const base: Record<string, unknown> = {
  "sovereign:fleet": spec,
  "sovereign:gcpProject": "sovereign-test",
  "sovereign:overlay": "true",
  "sovereign:gatewayTlsCertificate": TLS.certificate,
  "sovereign:gatewayTlsPrivateKey": TLS.privateKey,
  "sovereign:gatewayApiKeys": [{ name: "wallet" }],
  "sovereign:gatewayApiKey-wallet": KEY,
  "sovereign:sshPrivateKey": SSH_KEY,
  "sovereign:dns": dns,
};
const SECRETS = ["sovereign:gatewayTlsPrivateKey", "sovereign:sshPrivateKey"];

async function read(changes: Record<string, unknown>, secrets: string[] = []) {
  loadStackConfig({ ...base, ...changes }, [
    ...SECRETS,
    ...secrets,
    ...Object.keys(changes).filter((k) => /ApiKey-/.test(k)),
  ]);
  const { readConfig } = await import("../../program/config");
  return readConfig();
}

async function refused(changes: Record<string, unknown>, pattern: RegExp, secret?: string) {
  const before = h.resources.length;
  await assert.rejects(read(changes), (e: Error) => {
    assert.equal(e.name, "ConfigError", e.stack);
    assert.match(e.message, pattern);
    if (secret) assert.ok(!e.message.includes(secret), "the message quotes the secret");
    return true;
  });
  assert.equal(h.resources.length, before, "no resource registered");
}

describe("the base config is accepted (the checks pass real material)", () => {
  it("reads", async () => {
    const cfg = await read({});
    assert.equal(cfg.access.gateways.apiKeys?.length, 1);
    assert.ok(cfg.access.gateways.tls);
  });
});

describe("API keys", () => {
  const holders = (...names: string[]) => ({ "sovereign:gatewayApiKeys": names.map((name) => ({ name })) });
  it("a short key", () =>
    refused(
      { "sovereign:gatewayApiKey-wallet": "short" },
      /sovereign:gatewayApiKey-wallet: a key must be 16-128/,
      "short",
    ));
  it("a key with a space", () =>
    refused(
      { "sovereign:gatewayApiKey-wallet": "wallet key 0123456789ab" },
      /sovereign:gatewayApiKey-wallet: a key cannot contain spaces/,
    ));
  it("a key with '/'", () =>
    refused(
      { "sovereign:gatewayApiKey-wallet": "wallet/key/0123456789ab" },
      /sovereign:gatewayApiKey-wallet: a key cannot contain '\/'/,
    ));
  it("a holder named twice", () =>
    refused(holders("wallet", "wallet"), /sovereign:gatewayApiKeys: wallet is named twice/));
  it("one key held by two holders", () =>
    refused(
      { ...holders("wallet", "bridge"), "sovereign:gatewayApiKey-bridge": KEY },
      /sovereign:gatewayApiKeys: wallet and bridge hold the same key/,
      KEY,
    ));
});

describe("sovereign:gatewayTimeouts", () => {
  it("is read into the gateways' timings, the defaults filling what is not given", async () => {
    const cfg = await read({ "sovereign:gatewayTimeouts": { headMs: 800, traceMs: 60000 } });
    assert.deepEqual(
      { head: cfg.access.gateways.timeouts?.headMs, trace: cfg.access.gateways.timeouts?.traceMs },
      { head: 800, trace: 60000 },
    );
    assert.equal(cfg.access.gateways.timeouts?.connectMs, GATEWAY_TIMEOUTS.connectMs);
  });
  it("a zero budget", () =>
    refused({ "sovereign:gatewayTimeouts": { headMs: 0 } }, /sovereign:gatewayTimeouts\.headMs: /));
  it("an unknown timing", () =>
    refused({ "sovereign:gatewayTimeouts": { connect: 500 } }, /sovereign:gatewayTimeouts: .*connect/));
  it("not an object", () => refused({ "sovereign:gatewayTimeouts": "fast" }, /sovereign:gatewayTimeouts/));
});

describe("TLS material", () => {
  const publicKey = createPublicKey(TLS.privateKey).export({ format: "pem", type: "spki" }).toString();
  const encrypted = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
    .privateKey.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "pw" })
    .toString();
  it("a public key as the private key", () =>
    refused(
      { "sovereign:gatewayTlsPrivateKey": publicKey },
      /sovereign:gatewayTlsPrivateKey is not a PEM private key/,
    ));
  it("an encrypted private key", () =>
    refused({ "sovereign:gatewayTlsPrivateKey": encrypted }, /sovereign:gatewayTlsPrivateKey is encrypted/));
  it("the key of another certificate", () =>
    refused(
      { "sovereign:gatewayTlsPrivateKey": OTHER_TLS.privateKey },
      /sovereign:gatewayTlsPrivateKey is not the key of the certificate \(CN=rpc\.example\.org\)/,
    ));
  it("a private key pasted into the certificate", () =>
    refused(
      { "sovereign:gatewayTlsCertificate": `${TLS.certificate}\n${TLS.privateKey}` },
      /sovereign:gatewayTlsCertificate holds a private key/,
      TLS.privateKey.split("\n")[1],
    ));
});

describe("sovereign:dns", () => {
  const selfHosted = (...servers: object[]) => ({
    "sovereign:dns": { hostname: dns.hostname, selfHosted: { zone: dns.hostname, servers } },
  });
  it("operators that differ only by case or spaces are one operator", () =>
    refused(
      selfHosted(
        server("ns1.rpc.example.org", "Hetzner", "203.0.113.8"),
        server("ns2.rpc.example.org", " hetzner ", "203.0.113.9"),
      ),
      /sovereign:dns: the records are on 1 DNS operator\(s\) \(hetzner\)/,
    ));
  it("two operator names on one address", () =>
    refused(
      selfHosted(
        server("ns1.rpc.example.org", "hetzner", "203.0.113.8"),
        server("ns2.rpc.example.org", "ovh", "203.0.113.8"),
      ),
      /sovereign:dns\.selfHosted\.servers\.1\.operator: 203\.0\.113\.8 is run by hetzner in another entry/,
    ));
  it("minOperators above what the providers give", () =>
    refused(
      { "sovereign:dns": { ...dns, minOperators: 3 } },
      /sovereign:dns\.minOperators: the records are on 2 DNS operator\(s\).*at least 3/,
    ));
  it("two servers whose resources would share a name", () =>
    refused(
      selfHosted(
        server("ns1.rpc.example.org", "hetzner", "203.0.113.8"),
        server("ns1.example.net", "ovh", "198.51.100.9"),
      ),
      /sovereign:dns\.selfHosted\.servers\.1\.name: ns1\.example\.net and ns1\.rpc\.example\.org both start with 'ns1'/,
    ));
});

describe("the overlay CIDR", () => {
  it("public address space", () =>
    refused(
      { "sovereign:overlayCidr": "8.8.8.0/24" },
      /sovereign:overlayCidr: '8\.8\.8\.0\/24' is public address space/,
    ));

  it("too small for the fleet: refused before the Fleet registers anything", async () => {
    loadStackConfig({ ...base, "sovereign:overlayCidr": "10.0.0.0/29" }, [
      ...SECRETS,
      "sovereign:gatewayApiKey-wallet",
    ]);
    const { deploy } = await import("../../program/deploy");
    const before = h.resources.length;
    await assert.rejects(deploy(), /sovereign:overlayCidr: 10\.0\.0\.0\/29 holds 6 machines; the fleet has 7/);
    assert.equal(h.resources.length, before);
  });
});
