export {
  RpcGateway,
  gatewayNode,
  chainsFromFleet,
  type RpcGatewayArgs,
  type RpcGatewayChain,
  type RpcGatewayUpstream,
  type RpcGatewayApiKey,
  type RpcGatewaySite,
} from "./rpc-gateway";
export { UpstreamCa, type UpstreamCaArgs } from "./upstream-ca";
export { UpstreamCertificate, type UpstreamCertificateArgs } from "./upstream-certificate";
