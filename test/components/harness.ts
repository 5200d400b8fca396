/**
 * Pulumi mocks for the component tests: records every resource and invoke, fills in the few
 * outputs the components read (IPs, ids), and loads a stack config file into the runtime.
 * Call `installMocks` BEFORE importing the program or the components.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

export const ROOT = resolve(__dirname, "..", "..");
/** What the mocked `openssl rand -hex 32` returns: tests search for it to find leaks. */
export const MOCK_JWT = "5eb0e7f1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d";
/** What the mocked `openssl rand -base64 32` of a WireGuard key returns: 32 bytes from the resource's name. */
export const mockWireGuardKey = (name: string) => createHash("sha256").update(`wg:${name}`).digest("base64");

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
  custom: boolean;
  id: string;
}

export interface Harness {
  /** What the stack's own StackReference reads: its last outputs (the program's deployed state); none by default. */
  stackOutputs?: Record<string, unknown>;
  resources: Recorded[];
  calls: Array<{ token: string; inputs: Record<string, any>; provider?: string }>;
}

const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** True when a mocked input value is a Pulumi secret. */
export function isSecretInput(v: unknown): boolean {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_KEY] === SECRET_SIG;
}

/** The value inside secret wrappers, recursively. */
export function reveal(v: any): any {
  if (isSecretInput(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}

/** The value at a property path and whether any wrapper on the way (or the value) is a secret. */
export function at(v: any, ...path: string[]): { value: any; secret: boolean } {
  let secret = false;
  for (const key of path) {
    if (isSecretInput(v)) {
      secret = true;
      v = v.value;
    }
    v = v?.[key];
  }
  if (isSecretInput(v)) {
    secret = true;
    v = reveal(v);
  }
  return { value: reveal(v), secret };
}

/** Every string that appears OUTSIDE secret wrappers. */
export function plainStrings(v: any, out: string[] = []): string[] {
  if (isSecretInput(v)) return out;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => plainStrings(x, out));
  return out;
}

const hex = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);
const ip = (prefix: string, s: string) => `${prefix}.${(parseInt(hex(s, 2), 16) % 250) + 2}`;

function idFor(type: string, name: string): string {
  if (type === "aws:ebs/volume:Volume") return `vol-0${hex(name, 16)}`;
  if (type === "aws:ec2/instance:Instance") return `i-0${hex(name, 16)}`;
  // Hetzner Cloud ids are numbers (attachments take them as such).
  if (type.startsWith("hcloud:")) return String(parseInt(hex(name, 8), 16));
  return `${name}-id`;
}

function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  switch (type) {
    case "aws:ec2/instance:Instance":
      return { privateIp: ip("10.42.0", name) };
    case "aws:ec2/eip:Eip":
      return { publicIp: ip("198.51.100", name) };
    case "aws:ec2/subnet:Subnet":
      return { availabilityZone: "mock-az-1a" };
    case "aws:ec2/keyPair:KeyPair":
      return { keyName: `${name}-key` };
    case "gcp:compute/address:Address":
      return { address: ip("203.0.113", name) };
    case "gcp:compute/network:Network":
      return { selfLink: `https://compute.googleapis.com/mock/networks/${inputs.name}` };
    case "gcp:compute/subnetwork:Subnetwork":
      return { selfLink: `https://compute.googleapis.com/mock/subnetworks/${inputs.name}` };
    case "gcp:compute/disk:Disk":
      return { selfLink: `https://compute.googleapis.com/mock/disks/${inputs.name}` };
    case "gcp:compute/instance:Instance":
      return {
        networkInterfaces: (reveal(inputs.networkInterfaces) ?? []).map((n: object) => ({
          ...n,
          networkIp: ip("10.102.0", name),
        })),
      };
    case "hcloud:index/server:Server":
      return { ipv4Address: ip("198.18.0", name) };
    case "hcloud:index/sshKey:SshKey":
      return { name: `${name}-key` };
    case "azure-native:resources:ResourceGroup":
      return { name: `${name}-rg` };
    case "azure-native:network:VirtualNetwork":
      return { name: `${name}-vnet` };
    case "azure-native:network:PublicIPAddress":
      return { ipAddress: ip("192.0.2", name) };
    case "azure-native:network:NetworkInterface":
      return {
        ipConfigurations: (inputs.ipConfigurations ?? []).map((c: object) => ({
          ...c,
          privateIPAddress: ip("10.42.0", name),
        })),
      };
    case "command:local:Command":
      return {
        stdout: inputs.create === "openssl rand -base64 32" ? `${mockWireGuardKey(name)}\n` : `${MOCK_JWT}\n`,
        stderr: "",
      };
    default:
      return {};
  }
}

export function installMocks(stack = "example"): Harness {
  const h: Harness = { resources: [], calls: [] };
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        // A read of the stack's own outputs, not a resource the program makes: not recorded.
        if (args.type === "pulumi:pulumi:StackReference")
          return { id: args.id ?? args.name, state: { ...args.inputs, outputs: h.stackOutputs ?? {} } };
        const id = idFor(args.type, args.name);
        h.resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
          custom: args.custom ?? true,
          id,
        });
        return { id, state: { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs) } };
      },
      call(args) {
        h.calls.push({ token: args.token, inputs: args.inputs, provider: args.provider });
        switch (args.token) {
          case "aws:ec2/getAmi:getAmi":
            return {
              id: "ami-0mock0ubuntu2404",
              imageId: "ami-0mock0ubuntu2404",
              architecture: "x86_64",
              name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260101",
            };
          case "gcp:compute/getZones:getZones":
            return {
              id: args.inputs.region,
              names: [`${args.inputs.region}-c`, `${args.inputs.region}-a`, `${args.inputs.region}-b`],
            };
          case "aws:ec2/getVpc:getVpc":
            return { id: "vpc-default", cidrBlock: "172.31.0.0/16" };
          case "aws:ec2/getSubnets:getSubnets":
            return { id: "x", ids: ["subnet-b", "subnet-a"] };
          case "aws:ec2/getSubnet:getSubnet":
            return { id: args.inputs.id, availabilityZone: "mock-az-1a" };
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    "sovereign",
    stack,
    false,
    // The program reads its own stack's outputs through a StackReference named by organization.
    "organization",
  );
  return h;
}

/** Loads `stacks/Pulumi.<stack>.yaml` (or a given config object) into the Pulumi runtime config. */
export function loadStackConfig(config: Record<string, unknown>, secretKeys: string[] = []): void {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) flat[k] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(flat, secretKeys);
}

export function readStackFile(stack: string): Record<string, unknown> {
  return parse(readFileSync(resolve(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config;
}

/** Waits until every resource registration has reached the mocks. */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (runtime.waitForRPCs) await runtime.waitForRPCs();
  await new Promise((r) => setTimeout(r, 10));
}

/** Resolves an Output (tests await values, never assert inside apply). */
export function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolvePromise) =>
    o.apply((v) => {
      resolvePromise(v);
      return v;
    }),
  );
}

/** The resource's component prefix: host resources are named `<fleet>-<node id>-...`. */
export function ofNode(r: Recorded, fleet: string, nodeId: string): boolean {
  return r.name === `${fleet}-${nodeId}` || r.name.startsWith(`${fleet}-${nodeId}-`);
}
