/**
 * `sovereign:sshHostKeys` through the program (program/config.ts, program/deploy.ts) under Pulumi
 * mocks: a spec committed without host keys (like the drill's, test/e2e/drill-fleet.yaml) gets them
 * from stack config, so every SSH connection still checks its host; a key for no host, a key that
 * contradicts the spec's, or a malformed key is refused naming the key.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { installMocks, loadStackConfig } from "./harness";

installMocks("host-keys");
const KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH";
const KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";
const dir = mkdtempSync(join(tmpdir(), "sovereign-host-keys-"));
const host = (name: string, address: string, operator: string, hostKey?: string) => ({
  ...{ name, address, operator, country: "DE", monthlyUsd: 40, cpu: 4, memoryGb: 8, diskGb: 100 },
  ssh: hostKey ? { hostKey } : { user: "root" },
});
const specFile = (hosts: unknown[]) => {
  const file = join(dir, `fleet-${hosts.length}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    stringify({
      name: "keys",
      chains: [{ chain: "devnet", count: 2 }],
      sites: { baremetal: { hosts } },
      policy: { maxShare: { operator: 0.5 } },
    }),
  );
  return file;
};

async function plan(hosts: unknown[], keys: unknown) {
  loadStackConfig({ "sovereign:fleetFile": specFile(hosts), "sovereign:sshHostKeys": keys });
  const { readConfig } = await import("../../program/config");
  const { planFromConfig } = await import("../../program/deploy");
  return planFromConfig(readConfig());
}

describe("sovereign:sshHostKeys", () => {
  it("pins each named host's key on the plan's hosts", async () => {
    const p = await plan([host("fra-1", "10.0.0.1", "hetzner"), host("par-1", "10.0.0.2", "ovh")], {
      "fra-1": KEY_A,
      "par-1": KEY_B,
    });
    assert.deepEqual(Object.fromEntries(p.hosts.map((h) => [h.name, h.ssh.hostKey])), {
      "fra-1": KEY_A,
      "par-1": KEY_B,
    });
    assert.equal(p.hosts.find((h) => h.name === "fra-1")!.ssh.user, "root");
  });

  it("refuses a key for a host the spec does not have", () =>
    assert.rejects(
      plan([host("fra-1", "10.0.0.1", "hetzner"), host("par-1", "10.0.0.2", "ovh")], { "ams-1": KEY_A }),
      /sovereign:sshHostKeys\.ams-1: no host of sites\.baremetal\.hosts is named ams-1/,
    ));

  it("refuses a key that contradicts the spec's", () =>
    assert.rejects(
      plan([host("fra-1", "10.0.0.1", "hetzner", KEY_A), host("par-1", "10.0.0.2", "ovh")], { "fra-1": KEY_B }),
      /sovereign:sshHostKeys\.fra-1: the spec pins another key/,
    ));

  it("refuses a malformed key, naming the host", () =>
    assert.rejects(
      plan([host("fra-1", "10.0.0.1", "hetzner"), host("par-1", "10.0.0.2", "ovh")], { "fra-1": "AAAA" }),
      (e: Error) => e.name === "ConfigError" && /sovereign:sshHostKeys\.fra-1: /.test(e.message),
    ));
});
