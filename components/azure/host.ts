import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import { isIpv6 } from "../../core/workload/firewall";
import { prepareHost, userDataOptions, type NodeHostArgs, type NodeHostOutputs } from "../node-host";
import { AZURE_ADMIN_USER, AZURE_DATA_LUN, AZURE_IMAGE, AZURE_LAST_RULE_PRIORITY, CLOUD_DATA, LOCKED_SSH_PUBLIC_KEY } from "../provider-data";
import { transform, type Transform } from "../transform";

export interface AzureNodeHostArgs extends NodeHostArgs {
  /** Resource group for the node's resources. */
  resourceGroupName: pulumi.Input<string>;
  /** Azure location of the resource group and node. */
  location: pulumi.Input<string>;
  /** Subnet for the NIC. */
  subnetId: pulumi.Input<string>;
  /** Edit the args of the underlying resources. @default none */
  transform?: {
    virtualMachine?: Transform<compute.VirtualMachineArgs>;
    disk?: Transform<compute.DiskArgs>;
    networkSecurityGroup?: Transform<network.NetworkSecurityGroupArgs>;
    publicIp?: Transform<network.PublicIPAddressArgs>;
    networkInterface?: Transform<network.NetworkInterfaceArgs>;
  };
}

/**
 * One planned node on Azure: a static Standard public IP, a NIC with a network security group
 * holding exactly the node's ingress rules, a Premium SSD data disk of the planned tier (or the
 * size's local NVMe), and an Ubuntu 24.04 VM that boots the workload from cloud-init custom data.
 */
export class AzureNodeHost extends pulumi.ComponentResource implements NodeHostOutputs {
  readonly nodeId: string;
  readonly publicIp: pulumi.Output<string>;
  readonly privateIp: pulumi.Output<string>;
  readonly rpcEndpoint: pulumi.Output<string>;
  readonly virtualMachine: compute.VirtualMachine;
  readonly disk?: compute.Disk;
  readonly networkSecurityGroup: network.NetworkSecurityGroup;
  readonly publicIpAddress: network.PublicIPAddress;

  constructor(name: string, args: AzureNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:azure:NodeHost", name, {}, opts);
    const host = prepareHost(this, name, args);
    const node = host.node;
    const data = CLOUD_DATA.azure;
    const tags = data.labels(host.tags);
    const p = { parent: this };
    const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags };
    this.nodeId = node.id;

    const securityRules = host.rules.flatMap((rule) => {
      // One NSG rule holds IPv4 or IPv6 prefixes, not both.
      const families = [rule.cidrs.filter((c) => !isIpv6(c)), rule.cidrs.filter(isIpv6)].filter((l) => l.length);
      return families.map((cidrs, f) => ({
        name: `${rule.key}${f ? "-v6" : ""}`,
        direction: "Inbound",
        access: "Allow",
        protocol: rule.protocol === "tcp" ? "Tcp" : "Udp",
        sourceAddressPrefixes: cidrs,
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: String(rule.port),
        description: rule.description.slice(0, 140),
      }));
    }).map((r, i) => ({ ...r, priority: 100 + i * 10 }));
    // Azure's default AllowVnetInBound opens every port to the whole VNet, where AWS security groups
    // and GCP firewalls open only the rules above. Deny the rest from the fleet's network so Azure
    // matches them: inside the network, RPC (and P2P) yes; engine, admin, metrics and SSH (unless in
    // adminCidrs) no. Only the VNet's own CIDRs: platform traffic (168.63.129.16) is not touched.
    const vnet = (args.networkCidrs ?? []).filter((c) => !isIpv6(c));
    if (vnet.length) {
      securityRules.push({
        name: "deny-network-other",
        direction: "Inbound",
        access: "Deny",
        protocol: "*",
        sourceAddressPrefixes: vnet,
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
        description: "everything else from the fleet's network (overrides AllowVnetInBound)",
        priority: AZURE_LAST_RULE_PRIORITY,
      });
    }
    this.networkSecurityGroup = new network.NetworkSecurityGroup(...transform(args.transform?.networkSecurityGroup, `${name}-nsg`, {
      ...common, securityRules,
    }, p));

    this.publicIpAddress = new network.PublicIPAddress(...transform(args.transform?.publicIp, `${name}-ip`, {
      ...common,
      sku: { name: "Standard", tier: "Regional" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv4",
    }, p));

    const nic = new network.NetworkInterface(...transform(args.transform?.networkInterface, `${name}-nic`, {
      ...common,
      networkSecurityGroup: { id: this.networkSecurityGroup.id },
      ipConfigurations: [{
        name: "primary",
        primary: true,
        subnet: { id: args.subnetId },
        publicIPAddress: { id: this.publicIpAddress.id },
        privateIPAllocationMethod: "Dynamic",
      }],
    }, p));

    const disk = data.dataDisk(node.storage, node.shape);
    if (disk.kind === "network") {
      this.disk = new compute.Disk(...transform(args.transform?.disk, `${name}-data`, {
        ...common,
        sku: { name: disk.type },
        diskSizeGB: disk.sizeGb,
        tier: disk.tier,
        creationData: { createOption: "Empty" },
        encryption: { type: "EncryptionAtRestWithPlatformKey" },
      }, p));
    }
    const customData = host.userData(data.devices(disk)).apply((s) => Buffer.from(s, "utf8").toString("base64"));
    const arch = data.archOf(node.shape);

    this.virtualMachine = new compute.VirtualMachine(...transform(args.transform?.virtualMachine, `${name}-vm`, {
      ...common,
      hardwareProfile: { vmSize: node.shape },
      osProfile: {
        computerName: node.id.slice(0, 64),
        adminUsername: AZURE_ADMIN_USER,
        customData: pulumi.secret(customData),
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [{ path: `/home/${AZURE_ADMIN_USER}/.ssh/authorized_keys`, keyData: args.sshPublicKey ?? LOCKED_SSH_PUBLIC_KEY }] },
        },
      },
      storageProfile: {
        imageReference: { publisher: AZURE_IMAGE.publisher, offer: AZURE_IMAGE.offer, sku: AZURE_IMAGE.sku(arch), version: AZURE_IMAGE.version },
        osDisk: { createOption: "FromImage", diskSizeGB: data.bootDiskGb, managedDisk: { storageAccountType: "Premium_LRS" }, deleteOption: "Delete" },
        dataDisks: this.disk ? [{ lun: AZURE_DATA_LUN, createOption: "Attach", managedDisk: { id: this.disk.id }, deleteOption: "Detach" }] : [],
      },
      networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
    }, { ...p, ...userDataOptions(args.workloadUpdates, "osProfile.customData") }));

    this.publicIp = this.publicIpAddress.ipAddress.apply((ip) => ip ?? "");
    this.privateIp = nic.ipConfigurations.apply((c) => c?.[0]?.privateIPAddress ?? "");
    this.rpcEndpoint = host.rpcEndpoint(this.publicIp, this.privateIp);
    this.registerOutputs({ nodeId: this.nodeId, publicIp: this.publicIp, privateIp: this.privateIp, rpcEndpoint: this.rpcEndpoint });
  }
}
