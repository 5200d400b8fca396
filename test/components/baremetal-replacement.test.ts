/**
 * Replacing a bare-metal resource must never undo its successor. Every command Sovereign runs over
 * SSH (a node's workload, firewall and start; a gateway's the same, through BareMetalHost; the overlay
 * interface; a self-hosted DNS server) acts on paths, ports, an interface or a process name that the
 * old and the new command share on the host. Pulumi replaces create-first by default, so the old
 * command's delete would run after the new create and remove what it had just made (a DNS server
 * went dark that way). Checked under Pulumi mocks, through the Fleet and RpcDns: each such command
 * with a delete replaces delete-first; the DNS server's record set is an update (no triggers, which
 * replace); and no command asks sshd to accept PULUMI_COMMAND_STDOUT (one warning per command).
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle, value } from "./harness";

const h = installMocks("replacement");

import type { PlannedGateway } from "../../core/plan";

const SSH_KEY = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH";
const HOSTS = ["h4", "h5", "h6"];
const spec = {
  name: "rep",
  chains: [{ chain: "devnet", network: "local", count: 3 }],
  sites: {
    baremetal: {
      hosts: HOSTS.map((name, i) => ({
        name,
        address: `10.77.0.${14 + i}`,
        operator: ["hetzner", "ovh", "home"][i],
        country: ["DE", "FR", "NL"][i],
        monthlyUsd: 50,
        cpu: 8,
        memoryGb: 32,
        diskGb: 1000,
        ssh: { user: "root", port: 22, hostKey: HOST_KEY },
      })),
    },
  },
  policy: { maxShare: { operator: 0.34 } },
};

/** Options of every resource created under the test's parent, by name. */
const options = new Map<string, { type: string; opts: pulumi.CustomResourceOptions }>();

before(async () => {
  const { loadCatalog } = await import("../../core/catalog/load");
  const { validateFleetObject } = await import("../../core/fleet-spec/parse");
  const { resolveFleet } = await import("../../core/fleet-spec/resolve");
  const { planFleet } = await import("../../core/planner/plan");
  const { Fleet } = await import("../../components");
  const { RpcDns } = await import("../../components/dns");
  const catalog = loadCatalog();
  const plan = await planFleet(resolveFleet(validateFleetObject(spec, "test"), catalog, "test"), catalog);
  const node = plan.nodes.find((n) => n.host === "h5")!;
  const gateway: PlannedGateway = { ...node, id: "gateway-h5", chains: [node.chainKey], shape: "small" };
  plan.gateways = [gateway];
  const parent = new pulumi.ComponentResource(
    "test:Parent",
    "root",
    {},
    {
      transformations: [
        (a) => {
          options.set(a.name, { type: a.type, opts: a.opts });
          return undefined;
        },
      ],
    },
  );
  const fleet = new Fleet("rep", { plan, catalog, baremetal: { privateKey: SSH_KEY }, overlay: {} }, { parent });
  new RpcDns(
    "rep-rpc",
    {
      hostname: "rpc.example.org",
      gateways: [{ id: gateway.id, address: fleet.gateways[gateway.id].publicIp }],
      selfHosted: {
        zone: "rpc.example.org",
        servers: ["ns1", "ns2"].map((ns, i) => ({
          name: `${ns}.rpc.example.org`,
          operator: ["hetzner", "ovh"][i],
          address: `10.77.0.${14 + i}`,
          connection: { host: `10.77.0.${14 + i}`, privateKey: SSH_KEY, hostKey: HOST_KEY },
        })),
      },
    },
    { parent },
  );
  await value(fleet.nodes);
  await settle();
});

const remote = () => h.resources.filter((r) => r.type === "command:remote:Command");

describe("bare-metal commands replace delete-first", () => {
  it("covers every kind: node and gateway workload, firewall and start; overlay; DNS", () => {
    const kinds = new Set(remote().map((r) => r.name.split("-").pop()));
    for (const kind of ["workload", "firewall", "start", "up", "ns1", "ns2"])
      assert.ok(kinds.has(kind), `a ${kind} command (${[...kinds].join(", ")})`);
  });

  it("every command with a delete deletes before it replaces", () => {
    const deleting = remote().filter((r) => r.inputs.delete);
    assert.ok(deleting.length >= 10, `${deleting.length} commands with a delete`);
    for (const r of deleting) {
      const recorded = options.get(r.name);
      assert.ok(recorded, `${r.name} was created under the test's parent`);
      assert.equal(recorded.opts.deleteBeforeReplace, true, `${r.name} replaces delete-first`);
    }
  });

  it("a DNS server's changed record set is an update: its command has no triggers", () => {
    const servers = remote().filter((r) => /^rep-rpc-.*ns\d$/.test(r.name));
    assert.equal(servers.length, 2);
    for (const s of servers) {
      assert.equal(s.inputs.triggers, undefined, s.name);
      assert.equal(s.inputs.update, "sh -s");
    }
  });

  it("no command sends its previous output as environment variables sshd would refuse", () => {
    for (const r of remote()) assert.equal(r.inputs.addPreviousOutputInEnv, false, r.name);
  });
});
