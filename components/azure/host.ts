import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import { isIpv6 } from "../../core/workload/firewall";
import { machineShape, type DataDiskSpec } from "../cloud-data";
import { NodeHost, userDataOptions, type NodeHostArgs, type NodeHostTransform, type PreparedHost } from "../node-host";
import { transform, type Transform } from "../transform";
import {
  AZURE_ADMIN_USER,
  AZURE_DATA,
  AZURE_DATA_LUN,
  AZURE_IMAGE,
  AZURE_LAST_RULE_PRIORITY,
  AZURE_ZONE,
  LOCKED_SSH_PUBLIC_KEY,
} from "./data";

export interface AzureNodeHostArgs extends NodeHostArgs {
  /** Resource group for the node's resources. */
  resourceGroupName: pulumi.Input<string>;
  /** Azure location of the resource group and node. */
  location: pulumi.Input<string>;
  /** Subnet for the NIC. */
  subnetId: pulumi.Input<string>;
  /** Edit the args of the underlying resources (children `<name>-<part>`). @default none */
  transform?: NodeHostTransform & {
    /** `<name>-vm`: the virtual machine. */
    virtualMachine?: Transform<compute.VirtualMachineArgs>;
    /** `<name>-data`: the managed data disk (Premium SSD only). */
    disk?: Transform<compute.DiskArgs>;
    /** `<name>-nsg`: the network security group holding every rule (`securityRules`). */
    networkSecurityGroup?: Transform<network.NetworkSecurityGroupArgs>;
    /** `<name>-ip`: the static public IP. */
    publicIp?: Transform<network.PublicIPAddressArgs>;
    /** `<name>-nic`: the network interface. */
    networkInterface?: Transform<network.NetworkInterfaceArgs>;
  };
}

type Common = { resourceGroupName: pulumi.Input<string>; location: pulumi.Input<string>; tags: Record<string, string> };

/**
 * One planned node on Azure: a static Standard public IP, a NIC with a network security group
 * holding exactly the node's ingress rules, a Premium SSD data disk of the planned tier (or the
 * size's local NVMe), and an Ubuntu 24.04 VM that boots the workload from cloud-init custom data.
 *
 * @example
 * const net = new AzureNetwork("prod-azure-germanywestcentral", { location: "germanywestcentral", tags }, { providers: [azure] });
 * new AzureNodeHost("prod-ethereum-azure-germanywestcentral-1", {
 *   node, fleet: "prod", resourceGroupName: net.resourceGroupName, location: "germanywestcentral",
 *   subnetId: net.subnetId, networkCidrs: [net.cidr],
 * }, { providers: [azure] });
 */
export class AzureNodeHost extends NodeHost {
  readonly virtualMachine: compute.VirtualMachine;
  readonly disk?: compute.Disk;
  readonly networkSecurityGroup: network.NetworkSecurityGroup;
  readonly publicIpAddress: network.PublicIPAddress;

  constructor(name: string, args: AzureNodeHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:azure:NodeHost", name, args, opts);
    const host = this.prepare(args);
    const common: Common = {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      tags: AZURE_DATA.labels(host.tags),
    };
    this.networkSecurityGroup = this.createSecurityGroup(host, args, common);
    this.publicIpAddress = this.createPublicIp(args, common);
    const nic = this.createNetworkInterface(args, common);
    const disk = AZURE_DATA.dataDisk(host.node.storage, machineShape(host.node));
    this.disk = disk.kind === "network" ? this.createDisk(args, disk, common) : undefined;
    this.virtualMachine = this.createVirtualMachine(host, args, disk, nic, common);
    const publicIp = this.publicIpAddress.ipAddress.apply((ip) => ip ?? "");
    const privateIp = nic.ipConfigurations.apply((c) => c?.[0]?.privateIPAddress ?? "");
    this.finish({ publicIp, privateIp, rpcEndpoint: host.rpcEndpoint(publicIp, privateIp) });
  }

  private createSecurityGroup(
    host: PreparedHost,
    args: AzureNodeHostArgs,
    common: Common,
  ): network.NetworkSecurityGroup {
    const securityRules = host.rules
      .flatMap((rule) => {
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
      })
      .map((r, i) => ({ ...r, priority: 100 + i * 10 }));
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
    return new network.NetworkSecurityGroup(
      ...transform(
        args.transform?.networkSecurityGroup,
        this.child("nsg"),
        {
          ...common,
          securityRules,
        },
        { parent: this },
      ),
    );
  }

  private createPublicIp(args: AzureNodeHostArgs, common: Common): network.PublicIPAddress {
    return new network.PublicIPAddress(
      ...transform(
        args.transform?.publicIp,
        this.child("ip"),
        {
          ...common,
          sku: { name: "Standard", tier: "Regional" },
          publicIPAllocationMethod: "Static",
          publicIPAddressVersion: "IPv4",
        },
        { parent: this },
      ),
    );
  }

  private createNetworkInterface(args: AzureNodeHostArgs, common: Common): network.NetworkInterface {
    return new network.NetworkInterface(
      ...transform(
        args.transform?.networkInterface,
        this.child("nic"),
        {
          ...common,
          networkSecurityGroup: { id: this.networkSecurityGroup.id },
          ipConfigurations: [
            {
              name: "primary",
              primary: true,
              subnet: { id: args.subnetId },
              publicIPAddress: { id: this.publicIpAddress.id },
              privateIPAllocationMethod: "Dynamic",
            },
          ],
        },
        { parent: this },
      ),
    );
  }

  private createDisk(args: AzureNodeHostArgs, disk: DataDiskSpec & { kind: "network" }, common: Common): compute.Disk {
    return new compute.Disk(
      ...transform(
        args.transform?.disk,
        this.child("data"),
        {
          ...common,
          sku: { name: disk.type },
          diskSizeGB: disk.sizeGb,
          tier: disk.tier,
          ...(disk.type === "PremiumV2_LRS"
            ? { diskIOPSReadWrite: disk.iops, diskMBpsReadWrite: disk.throughputMBps, zones: [AZURE_ZONE] }
            : {}),
          creationData: { createOption: "Empty" },
          encryption: { type: "EncryptionAtRestWithPlatformKey" },
        },
        { parent: this },
      ),
    );
  }

  private createVirtualMachine(
    host: PreparedHost,
    args: AzureNodeHostArgs,
    disk: DataDiskSpec,
    nic: network.NetworkInterface,
    common: Common,
  ): compute.VirtualMachine {
    const node = host.node;
    const customData = host.userData(AZURE_DATA.devices(disk)).apply((s) => Buffer.from(s, "utf8").toString("base64"));
    const arch = AZURE_DATA.archOf(machineShape(node));
    return new compute.VirtualMachine(
      ...transform(
        args.transform?.virtualMachine,
        this.child("vm"),
        {
          ...common,
          hardwareProfile: { vmSize: machineShape(node) },
          ...(disk.kind === "network" && disk.type === "PremiumV2_LRS" ? { zones: [AZURE_ZONE] } : {}),
          osProfile: {
            computerName: node.id.slice(0, 64),
            adminUsername: AZURE_ADMIN_USER,
            customData: pulumi.secret(customData),
            linuxConfiguration: {
              disablePasswordAuthentication: true,
              ssh: {
                publicKeys: [
                  {
                    path: `/home/${AZURE_ADMIN_USER}/.ssh/authorized_keys`,
                    keyData: args.sshPublicKey ?? LOCKED_SSH_PUBLIC_KEY,
                  },
                ],
              },
            },
          },
          storageProfile: {
            imageReference: {
              publisher: AZURE_IMAGE.publisher,
              offer: AZURE_IMAGE.offer,
              sku: AZURE_IMAGE.sku(arch),
              version: AZURE_IMAGE.version,
            },
            osDisk: {
              createOption: "FromImage",
              diskSizeGB: AZURE_DATA.bootDiskGb,
              managedDisk: { storageAccountType: "Premium_LRS" },
              deleteOption: "Delete",
            },
            dataDisks: this.disk
              ? [
                  {
                    lun: AZURE_DATA_LUN,
                    createOption: "Attach",
                    managedDisk: { id: this.disk.id },
                    deleteOption: "Detach",
                  },
                ]
              : [],
          },
          networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
        },
        { parent: this, ...userDataOptions(args.workloadUpdates, "osProfile.customData") },
      ),
    );
  }
}
