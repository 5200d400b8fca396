/**
 * The plan contract: what the planner produces and everything downstream (components, reports,
 * the CLI, the Pulumi program) consumes. Plain data, serialisable as JSON.
 */
import type { CostBreakdown, StorageChoice } from "../costs/options";
import type { ConcentrationMetrics, DiversityNode, PolicyCheck } from "../diversity";
import type { SiteProvider } from "../fleet-spec/resolve";

export interface PlannedNode extends DiversityNode {
  chain: string;
  network: string;
  role: string;
  provider: SiteProvider;
  site: string;
  /** Bare-metal host name, when on bare metal. */
  host?: string;
  country: string;
  shape: string;
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
}

export interface Plan {
  fleet: string;
  nodes: PlannedNode[];
  hosts: PlannedHost[];
  totals: {
    monthlyUsd: number;
    breakdown: CostBreakdown;
    byChain: Record<string, number>;
    byOperator: Record<string, number>;
    byProvider: Record<string, number>;
    /** True when any figure in the total is an estimate. */
    estimate: boolean;
  };
  metrics: { fleet: ConcentrationMetrics; chains: Record<string, ConcentrationMetrics> };
  policy: { satisfied: boolean; checks: PolicyCheck[] };
  solver: { name: "HiGHS"; status: string; optimal: boolean; milliseconds: number; variables: number };
  /** With a previous plan: how many of its nodes keep their site and clients, and whether any had to move. */
  stability?: { previous: number; kept: number; moved: boolean };
}

/** A node of an earlier plan of the same fleet (what is deployed now). */
export interface PreviousNode {
  id: string;
  site: string;
  clients: Record<string, string>;
}
