/** The private WireGuard overlay between gateways and nodes (plan: core/overlay). */
export { Overlay, type OverlayArgs } from "./overlay";
export { WireGuardKey, type WireGuardKeyArgs } from "./key";
export { BareMetalWireGuard, OVERLAY_DIR, type BareMetalWireGuardArgs } from "./baremetal";
