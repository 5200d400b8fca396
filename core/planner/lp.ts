/**
 * A tiny builder of sparse linear programs for HiGHS: columns with cost and bounds, rows as lists of
 * (column, coefficient) with bounds and the rule family they come from. Rows of a family can be
 * switched off when the model is handed to the solver, so one build serves every relaxation the
 * infeasibility explanation tries. Arrays throughout: building is linear in the model's size.
 */
export type Term = readonly [column: number, coefficient: number];

export interface ModelArrays {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  matrix: {
    format: "csr";
    numRows: number;
    numCols: number;
    starts: Int32Array;
    indices: Int32Array;
    values: Float64Array;
  };
  integrality: Int32Array;
}

export class Lp<Family extends string = string> {
  private readonly cost: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly integer: number[] = [];
  private readonly start: number[] = [0];
  private readonly index: number[] = [];
  private readonly value: number[] = [];
  private readonly rowLower: number[] = [];
  private readonly rowUpper: number[] = [];
  private readonly family: Array<Family | undefined> = [];

  get columns(): number {
    return this.cost.length;
  }
  get rows(): number {
    return this.rowLower.length;
  }

  /** A new column (integer unless said otherwise); returns its index. */
  column(cost: number, lower: number, upper: number, integer = true): number {
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.integer.push(integer ? 1 : 0);
    return this.cost.length - 1;
  }

  /** Raises a column's lower bound (never above its upper bound). */
  atLeastOn(column: number, lower: number): void {
    this.lower[column] = Math.min(Math.max(this.lower[column], lower), this.upper[column]);
  }

  /** lower <= sum(terms) <= upper. Terms on the same column are added up; zero coefficients dropped. */
  row(terms: Iterable<Term>, lower: number, upper: number, family?: Family): number {
    const merged = new Map<number, number>();
    for (const [column, coefficient] of terms) merged.set(column, (merged.get(column) ?? 0) + coefficient);
    for (const [column, coefficient] of merged) {
      if (coefficient === 0) continue;
      this.index.push(column);
      this.value.push(coefficient);
    }
    this.start.push(this.index.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
    this.family.push(family);
    return this.rowLower.length - 1;
  }

  atMost(terms: Iterable<Term>, upper: number, family?: Family): number {
    return this.row(terms, -Infinity, upper, family);
  }
  atLeast(terms: Iterable<Term>, lower: number, family?: Family): number {
    return this.row(terms, lower, Infinity, family);
  }
  equal(terms: Iterable<Term>, value: number, family?: Family): number {
    return this.row(terms, value, value, family);
  }

  /** The objective as terms (columns with a cost). */
  objectiveTerms(): Term[] {
    const terms: Term[] = [];
    this.cost.forEach((c, i) => {
      if (c !== 0) terms.push([i, c]);
    });
    return terms;
  }

  /** Whether any row belongs to the family (relaxing a family without rows changes nothing). */
  has(family: Family): boolean {
    return this.family.includes(family);
  }

  /** Row bounds, with the rows of `relaxed` families left free. */
  rowBounds(relaxed: ReadonlySet<Family> = new Set()): Pick<ModelArrays, "rowLower" | "rowUpper"> {
    const free = (i: number) => this.family[i] !== undefined && relaxed.has(this.family[i]!);
    return {
      rowLower: Float64Array.from(this.rowLower, (x, i) => (free(i) ? -Infinity : x)),
      rowUpper: Float64Array.from(this.rowUpper, (x, i) => (free(i) ? Infinity : x)),
    };
  }

  /** The arrays HiGHS reads, with the rows of `relaxed` families left free. */
  arrays(relaxed: ReadonlySet<Family> = new Set()): ModelArrays {
    return {
      numCols: this.cost.length,
      numRows: this.rowLower.length,
      colCost: Float64Array.from(this.cost),
      colLower: Float64Array.from(this.lower),
      colUpper: Float64Array.from(this.upper),
      ...this.rowBounds(relaxed),
      matrix: {
        format: "csr",
        numRows: this.rowLower.length,
        numCols: this.cost.length,
        starts: Int32Array.from(this.start),
        indices: Int32Array.from(this.index),
        values: Float64Array.from(this.value),
      },
      integrality: Int32Array.from(this.integer),
    };
  }
}
