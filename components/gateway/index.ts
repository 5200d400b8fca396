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
