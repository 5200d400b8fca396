/**
 * Quantities a preview or export gives (disk sizes, provisioned IOPS and throughput, a bare-metal
 * node's monthly price) are billed as they are: a negative one would lower the bill below a budget,
 * an infinite or absurd one would print "$∞". Each is refused by resource and field instead.
 */
import type { InputProblem } from "../errors";
import { quote } from "../errors";
import type { ReadResult } from "./types";

/** Far above any real resource, far below where sums of them stop being exact cents. */
const LIMITS = {
  sizeGb: { max: 1_000_000, unit: "GB" },
  iops: { max: 10_000_000, unit: "IOPS" },
  throughputMBps: { max: 1_000_000, unit: "MBps" },
  monthlyUsd: { max: 10_000_000, unit: "USD per month" },
} as const;

type Quantity = keyof typeof LIMITS;

export function quantityProblems(read: ReadResult): InputProblem[] {
  const problems: InputProblem[] = [];
  const check = (name: string, field: Quantity, value: number | undefined) => {
    if (value === undefined) return;
    const { max, unit } = LIMITS[field];
    if (Number.isFinite(value) && value >= 0 && value <= max) return;
    const why = !Number.isFinite(value) ? "not a finite number" : value < 0 ? "negative" : `above ${max} ${unit}`;
    problems.push({
      path: `${quote(name)}.${field}`,
      message: `${value} is ${why}: a ${field} is 0 to ${max} ${unit}; fix the resource's input and preview again`,
    });
  };
  for (const d of read.disks)
    for (const field of ["sizeGb", "iops", "throughputMBps"] as const) check(d.name, field, d[field]);
  for (const m of read.machines) check(m.name, "monthlyUsd", m.monthlyUsd);
  return problems;
}
