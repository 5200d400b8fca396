/**
 * Sovereign's Pulumi components, one folder per provider (host, network, binding, data). This
 * module registers the built-in host bindings of the Fleet, one line each: a Fleet finds the
 * binding of every provider of its plan here (components/hosts.ts).
 */
import { akashBinding } from "./akash/binding";
import { awsBinding } from "./aws/binding";
import { azureBinding } from "./azure/binding";
import { baremetalBinding } from "./baremetal/binding";
import { gcpBinding } from "./gcp/binding";
import { hetznerBinding } from "./hetzner/binding";
import { registerHostBinding } from "./hosts";

registerHostBinding("aws", awsBinding);
registerHostBinding("gcp", gcpBinding);
registerHostBinding("azure", azureBinding);
registerHostBinding("baremetal", baremetalBinding);
registerHostBinding("akash", akashBinding);
registerHostBinding("hetzner", hetznerBinding);

export { Fleet, type FleetArgs, type FleetNodeOutput, type FleetOverlayMachineOutput } from "./fleet";
export { fleetGatewayPort, type FleetGatewayOptions, type FleetGatewayOutput } from "./gateway/fleet-gateways";
export type { FleetMonitorOptions, FleetMonitorOutput } from "./monitoring/fleet-monitors";
export { Monitor, NodeExporter, type MonitorArgs, type NodeExporterArgs } from "./monitoring";
export { AwsNodeHost, type AwsNodeHostArgs } from "./aws/host";
export { GcpNodeHost, type GcpNodeHostArgs } from "./gcp/host";
export { AzureNodeHost, type AzureNodeHostArgs } from "./azure/host";
export { BareMetalHost, type BareMetalHostArgs, type BareMetalConnection } from "./baremetal/host";
export { AkashNodeHost, type AkashNodeHostArgs, type AkashConsoleOptions } from "./akash/host";
export { AkashDeployment, type AkashDeploymentArgs } from "./akash/deployment";
export { AwsNetwork, type AwsNetworkArgs } from "./aws/network";
export { GcpNetwork, type GcpNetworkArgs, type GcpNetworkRegion } from "./gcp/network";
export { AzureNetwork, type AzureNetworkArgs } from "./azure/network";
export {
  RpcGateway,
  gatewayNode,
  chainsFromFleet,
  type RpcGatewayArgs,
  type RpcGatewayChain,
  type RpcGatewayUpstream,
  type RpcGatewayApiKey,
  type RpcGatewaySite,
} from "./gateway";
export { awsBinding, awsGatewaySite, type AwsFleetOptions } from "./aws/binding";
export { gcpBinding, gcpGatewaySite, type GcpFleetOptions } from "./gcp/binding";
export { azureBinding, azureGatewaySite, type AzureFleetOptions } from "./azure/binding";
export { baremetalBinding, baremetalGatewaySite, type BareMetalFleetOptions } from "./baremetal/binding";
export { akashBinding } from "./akash/binding";
export { hetznerBinding, hetznerGatewaySite, type HetznerFleetOptions } from "./hetzner/binding";
export { HetznerNodeHost, type HetznerNodeHostArgs } from "./hetzner/host";
export {
  registerHostBinding,
  hostBinding,
  registeredProviders,
  type FleetContext,
  type FleetProviderOptions,
  type GatewaySite,
  type HostBinding,
} from "./hosts";
export {
  NodeHost,
  prepareHost,
  generateJwt,
  httpUrl,
  type NodeHostArgs,
  type NodeHostOutputs,
  type NodeHostTransform,
  type PreparedHost,
} from "./node-host";
export { AWS_DATA, AWS_IMAGE } from "./aws/data";
export { GCP_DATA, GCP_IMAGE, GCP_SUBNET_NUMBERS, gcpLocalSsd, gcpName } from "./gcp/data";
export { AZURE_DATA, AZURE_IMAGE, LOCKED_SSH_PUBLIC_KEY } from "./azure/data";
export type { CloudData, DataDiskSpec, Arch } from "./cloud-data";
export { hostPortOffsets, BAREMETAL_ROOT } from "../core/layout";
export { transform, type Transform } from "./transform";
