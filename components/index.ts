/**
 * Sovereign's Pulumi components. Importing this module registers the AWS, GCP and Azure host
 * bindings of the Fleet (components/hosts.ts); bare-metal and Akash modules register theirs.
 */
export { Fleet, type FleetArgs, type FleetNodeOutput } from "./fleet";
export { AwsNodeHost, type AwsNodeHostArgs } from "./aws/host";
export { GcpNodeHost, type GcpNodeHostArgs } from "./gcp/host";
export { AzureNodeHost, type AzureNodeHostArgs } from "./azure/host";
export { BareMetalHost, hostPortOffsets, BAREMETAL_ROOT, type BareMetalHostArgs, type BareMetalConnection, type BareMetalFleetOptions } from "./baremetal/host";
export { AkashNodeHost, type AkashNodeHostArgs, type AkashConsoleOptions } from "./akash/host";
export { AkashDeployment, type AkashDeploymentArgs } from "./akash/deployment";
export { AwsNetwork, type AwsNetworkArgs } from "./aws/network";
export { GcpNetwork, type GcpNetworkArgs, type GcpNetworkRegion } from "./gcp/network";
export { AzureNetwork, type AzureNetworkArgs } from "./azure/network";
export { awsBinding, gcpBinding, azureBinding, type AwsFleetOptions, type GcpFleetOptions, type AzureFleetOptions } from "./cloud-bindings";
export { registerHostBinding, hostBinding, registeredProviders, type FleetContext, type FleetProviderOptions, type HostBinding } from "./hosts";
export { prepareHost, generateJwt, type NodeHostArgs, type NodeHostOutputs, type PreparedHost } from "./node-host";
export { CLOUD_DATA, AWS_IMAGE, GCP_IMAGE, AZURE_IMAGE, LOCKED_SSH_PUBLIC_KEY, gcpName, type CloudData, type DataDiskSpec } from "./provider-data";
export { transform, type Transform } from "./transform";
