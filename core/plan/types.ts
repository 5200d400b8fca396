/**
 * The plan contract: what the planner produces and everything downstream (components, reports,
 * the CLI, the Pulumi program) consumes. Plain data, serialisable as JSON.
 */
import type { CostBreakdown, StorageChoice } from "../costs/options";
import type { ConcentrationMetrics, DiversityNode, PolicyCheck } from "../diversity";
import type { SiteProvider } from "../fleet-spec/resolve";
import type { OperatorQuorum } from "../diversity/quorum";

export interface PlannedNode extends DiversityNode {
  chain: string;
  network: string;
  role: string;
  provider: SiteProvider;
  site: string;
  /** Bare-metal host name, when on bare metal. */
  host?: string;
  country: string;
  /** Catalog machine shape (cloud, Akash). Absent on bare metal: the host is the machine (`host`). */
  shape?: string;
  vcpu: number;
  memoryGb: number;
  storage: StorageChoice;
  monthlyUsd: number;
  cost: CostBreakdown;
  estimate: boolean;
  sources: string[];
}

export interface PlannedHost {
  name: string;
  operator: string;
  address: string;
  /** SSH connection details from the spec (the key comes from stack config). */
  ssh: { user: string; port: number; hostKey?: string };
  monthlyUsd: number;
  nodes: string[];
  /** Gateways on this host, when the spec has `gateways` (its price is shared by its nodes and gateways). */
  gateways?: string[];
  /** Monitors on this host, when the spec has `monitoring` (they share its price too). */
  monitors?: string[];
}

/**
 * A monitor of the fleet (Prometheus, Alertmanager, blackbox exporter; core/monitoring renders what
 * it runs), placed like a gateway: the machine part of a placed node, with the spec's settings.
 */
export type PlannedMonitor = Omit<PlannedGateway, "chains" | "maxLagBlocks" | "backup" | "traffic"> & {
  /** Prometheus' --storage.tsdb.retention.time (monitoring.retention). */
  retention: string;
  /** Seconds between scrapes and rule evaluations (monitoring.scrapeIntervalSeconds). */
  scrapeIntervalSeconds: number;
  /** Seconds a node, endpoint or DNS server is unseen before its down alert fires (monitoring.downAfterSeconds). */
  downAfterSeconds: number;
  /** Alertmanager's group_wait in seconds (monitoring.groupWaitSeconds). */
  groupWaitSeconds: number;
  /** Alertmanager's group_interval in seconds (monitoring.groupIntervalSeconds). */
  groupIntervalSeconds: number;
};

/**
 * An RPC gateway of the access layer (HAProxy in front of every node of the chains it serves).
 * Placed by the same optimiser as nodes, under the same diversity rules, so no single operator,
 * region or jurisdiction sits under the access layer.
 */
export interface PlannedGateway {
  /** e.g. `gateway-aws-us-east-1-1`; stable across plans like node ids. */
  id: string;
  /** Chain keys (`chain/network`) whose nodes are its upstreams. */
  chains: string[];
  provider: SiteProvider;
  site: string;
  /** Bare-metal host name, when on bare metal. */
  host?: string;
  operator: string;
  region: string;
  country: string;
  jurisdiction: string;
  cloudAct: boolean;
  /** Legal regimes within whose reach the operator is (always set by the planner; see DiversityNode.legal). */
  legal?: readonly string[];
  /** Catalog machine shape; absent on bare metal. */
  shape?: string;
  vcpu: number;
  memoryGb: number;
  /** The disk `cost` prices (catalog gateways.sizes diskGb); the cloud host components build this one. Absent on a gateway described by hand. */
  storage?: StorageChoice;
  monthlyUsd: number;
  /** Machine, disk, public IP and the egress of RPC responses (an estimate: see `traffic`). */
  cost: CostBreakdown;
  estimate: boolean;
  sources: string[];
  /*
   * The planner always sets the three fields below; they are optional because a gateway can also be
   * described by hand for the RpcGateway component (components/gateway), which has its own defaults.
   */
  /** An upstream more blocks than this behind the best upstream's head gets no traffic (gateways.maxLagBlocks). */
  maxLagBlocks?: number;
  /** Ids of upstream nodes that get traffic only when no other node of their chain is healthy (gateways.backup). */
  backup?: string[];
  /** The load its egress is priced for: its share of every served chain's assumed requests. */
  traffic?: { requestsPerSecond: number; responseKb: number; egressGbMonth: number };
  /**
   * The integrity layer per served chain key (gateways.integrity): the quorum an integrity read
   * needs (core/diversity/quorum.ts) and the methods, when the spec names them (else the RPC kind's).
   * Absent without gateways.integrity.
   */
  integrity?: Record<string, PlannedIntegrity>;
}

/** A chain's integrity reads on a gateway: answered only when `agreement` nodes on `minOperators`+ operators agree. */
export interface PlannedIntegrity extends OperatorQuorum {
  /** Methods from the spec; absent = the RPC kind's `integrityMethods`. */
  methods?: string[];
}

export interface Plan {
  fleet: string;
  nodes: PlannedNode[];
  /** The access layer; empty when the spec has no `gateways` section. */
  gateways: PlannedGateway[];
  /** The fleet's monitors; absent or empty when the spec has no `monitoring` section. */
  monitors?: PlannedMonitor[];
  hosts: PlannedHost[];
  totals: {
    monthlyUsd: number;
    breakdown: CostBreakdown;
    byChain: Record<string, number>;
    byOperator: Record<string, number>;
    byProvider: Record<string, number>;
    /** True when any figure in the total is an estimate. */
    estimate: boolean;
    /** What the access layer costs (included in every figure above); absent without gateways. */
    gateways?: { monthlyUsd: number; breakdown: CostBreakdown };
    /** What the monitors cost (included in every figure above but byChain); absent without monitors. */
    monitors?: { monthlyUsd: number; breakdown: CostBreakdown };
  };
  metrics: { fleet: ConcentrationMetrics; chains: Record<string, ConcentrationMetrics> };
  policy: { satisfied: boolean; checks: PolicyCheck[] };
  solver: {
    name: "HiGHS";
    status: string;
    optimal: boolean;
    milliseconds: number;
    variables: number;
    /** Proven relative MIP gap: 0 when optimal; above 0 when the time limit stopped the search first. */
    gap?: number;
  };
  /**
   * With a previous plan: how many of its nodes keep their site and clients, and whether any had to
   * move; with previous gateways, how many of those keep their site.
   */
  stability?: { previous: number; kept: number; moved: boolean; gateways?: { previous: number; kept: number } };
  /** How a changed release reaches each chain's nodes (core/rollout), by chain key. */
  rollout?: Record<string, ChainRollout>;
}

/** A chain's rolling-upgrade settings, the spec's `rollout` with defaults filled in (core/rollout). */
export interface RolloutSettings {
  maxUnavailable: number;
  canary: boolean;
  maxLagBlocks: number;
  soakSeconds: number;
  timeoutSeconds: number;
  onFailure: "stop" | "rollback";
}

/** Nodes updated together: out of the gateways at the same time, all of one operator. */
export interface RolloutWave {
  /** 1-based. */
  wave: number;
  canary: boolean;
  operator: string;
  nodes: string[];
}

/** How a changed release reaches one chain's nodes: one wave after another, each waiting for the health bar. */
export interface ChainRollout {
  settings: RolloutSettings;
  waves: RolloutWave[];
  /** The most nodes down at once that keeps `policy.survive` (and one node serving) in every wave. */
  allowed: number;
}

/** A node of an earlier plan of the same fleet (what is deployed now). */
export interface PreviousNode {
  id: string;
  site: string;
  clients: Record<string, string>;
}

/** A gateway of an earlier plan of the same fleet. */
export interface PreviousGateway {
  id: string;
  site: string;
}
