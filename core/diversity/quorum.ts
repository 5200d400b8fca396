/**
 * The quorum of the gateways' integrity layer: how many nodes must return the same answer before a
 * gateway passes it on, so that no single operator (nor any `minOperators - 1` of them) can forge an
 * answer the others confirm. One implementation for the plan, the gateway's renderer and the CLI.
 */

/** The agreement an integrity read needs on one chain. */
export interface OperatorQuorum {
  /** Nodes that must return the same answer (eRPC's agreementThreshold). */
  agreement: number;
  /** Nodes asked (every upstream of the chain: eRPC's maxParticipants). */
  participants: number;
  /** Distinct operators among the participants. */
  operators: number;
  /** Distinct operators an agreed answer always spans, at least. */
  minOperators: number;
}

/**
 * The quorum over nodes whose operators are `operators` (one entry per node): the agreement is one
 * more than the nodes the `minOperators - 1` largest operators hold together, so any agreeing set
 * spans at least `minOperators` operators, whatever their sizes (three operators of one node each
 * and minOperators 2: agreement 2 of 3; one operator holding two of four nodes: 3 of 4). Returns a
 * problem when fewer than `minOperators` operators hold nodes: no threshold would then be safe.
 */
export function operatorQuorum(
  operators: readonly string[],
  minOperators: number,
): OperatorQuorum | { problem: string } {
  if (!Number.isInteger(minOperators) || minOperators < 2)
    return { problem: `minOperators must be a whole number of at least 2 (got ${minOperators})` };
  const sizes = new Map<string, number>();
  for (const o of operators) sizes.set(o, (sizes.get(o) ?? 0) + 1);
  if (sizes.size < minOperators)
    return {
      problem: `its nodes are on ${sizes.size} operator(s) (${[...sizes.keys()].join(", ") || "none"}); an answer confirmed by ${minOperators} operators needs nodes on at least ${minOperators}`,
    };
  const largest = [...sizes.values()].sort((a, b) => b - a).slice(0, minOperators - 1);
  return {
    agreement: largest.reduce((a, b) => a + b, 0) + 1,
    participants: operators.length,
    operators: sizes.size,
    minOperators,
  };
}
