import { Option } from "commander";

/** Exit codes, part of the CLI's contract (README). */
export const EXIT = { ok: 0, violated: 1, badInput: 2, infeasible: 3, internal: 70 } as const;

export const formatOption = () =>
  new Option("-f, --format <format>", "output format").choices(["table", "json", "md", "html"]).default("table");
