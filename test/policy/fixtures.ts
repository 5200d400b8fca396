/**
 * Realistic resource inputs per provider, as the engine passes them to policies: the property
 * names and shapes of @pulumi/aws 7, @pulumi/gcp 9 and @pulumi/azure-native 3, tags the way
 * Sovereign's components write them (and the way a hand-written stack might not).
 */
import { nodeTags, toGcpLabels, type TaggedNode } from "../../core/workload/tags";
import type { Fixture } from "./args";

export const node = (
  over: Partial<TaggedNode> & { id: string; provider: string; operator: string; region: string; jurisdiction: string },
): TaggedNode => ({
  chain: "ethereum",
  network: "mainnet",
  role: "full",
  clients: { execution: "geth", consensus: "lighthouse" },
  ...over,
});

export function awsInstance(
  name: string,
  n: TaggedNode | undefined,
  shape = "m6i.2xlarge",
  region = "eu-central-1",
): Fixture {
  return {
    type: "aws:ec2/instance:Instance",
    name,
    provider: { region },
    props: {
      ami: "ami-0a1b2c3d4e5f60718",
      instanceType: shape,
      availabilityZone: `${region}a`,
      associatePublicIpAddress: true,
      metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
      rootBlockDevice: { volumeType: "gp3", volumeSize: 30, encrypted: true, deleteOnTermination: true },
      tags: n ? { ...nodeTags("prod", n), Name: n.id } : { Name: name },
    },
  };
}

export function gcpInstance(
  name: string,
  n: TaggedNode | undefined,
  shape = "n2-standard-8",
  zone = "asia-southeast1-b",
): Fixture {
  return {
    type: "gcp:compute/instance:Instance",
    name,
    provider: { project: "my-project" },
    props: {
      name,
      machineType: shape,
      zone,
      bootDisk: {
        autoDelete: true,
        initializeParams: { image: "ubuntu-os-cloud/ubuntu-2404-lts-amd64", size: 30, type: "pd-balanced" },
      },
      networkInterfaces: [
        {
          subnetwork: "projects/my-project/regions/asia-southeast1/subnetworks/prod",
          accessConfigs: [{ networkTier: "PREMIUM" }],
        },
      ],
      labels: n ? toGcpLabels(nodeTags("prod", n)) : { team: "infra" },
      tags: [name],
    },
  };
}

export function azureVm(
  name: string,
  n: TaggedNode | undefined,
  shape = "Standard_D8s_v5",
  location = "eastus",
): Fixture {
  return {
    type: "azure-native:compute:VirtualMachine",
    name,
    provider: { location },
    props: {
      resourceGroupName: "prod-rg",
      location,
      hardwareProfile: { vmSize: shape },
      storageProfile: {
        imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
        osDisk: {
          createOption: "FromImage",
          diskSizeGB: 30,
          managedDisk: { storageAccountType: "Premium_LRS" },
          deleteOption: "Delete",
        },
        dataDisks: [],
      },
      networkProfile: {
        networkInterfaces: [
          {
            id: "/subscriptions/0000/resourceGroups/prod-rg/providers/Microsoft.Network/networkInterfaces/nic",
            primary: true,
          },
        ],
      },
      osProfile: {
        computerName: name,
        adminUsername: "sovereign",
        linuxConfiguration: { disablePasswordAuthentication: true },
      },
      tags: n ? nodeTags("prod", n) : {},
    },
  };
}

/** A bare-metal node as the bare-metal host component records it (a command resource carrying the node's tags). */
export function bareMetalNode(name: string, n: TaggedNode, monthlyUsd = 60): Fixture {
  return {
    type: "command:local:Command",
    name,
    props: { environment: { ...nodeTags("prod", n), "sovereign:monthlyUsd": String(monthlyUsd) } },
  };
}
