import { spawnSync } from "node:child_process";
import { Command, Option } from "commander";
import { checkHost, DriftStateError, probedHosts, type Finding, type ProbedHost } from "../../core/drift";
import { InputFileError, readInputFile } from "../../core/input-file";
import { doctorMarkdown, doctorTable, doctorToJson } from "../../report/doctor";
import { UsageError } from "../errors";
import { EXIT, formatOption, outOption, withExamples, type OutputOptions, type SetExit } from "../options";
import { emit } from "../output";
import { present } from "../../core/present";

interface DoctorOptions extends OutputOptions {
  deployed?: string;
  stack?: string;
  identity?: string;
  timeout: number;
  all?: boolean;
}

/** The stack export: `--deployed FILE`, or `pulumi stack export` of `--stack NAME` (in this directory's project). */
function readExport(opts: DoctorOptions): { exported: unknown; source: string } {
  if ((opts.deployed === undefined) === (opts.stack === undefined))
    throw new UsageError([
      {
        path: "--deployed",
        message:
          "give the stack: --deployed FILE (from `pulumi stack export > state.json`) or --stack NAME (runs `pulumi stack export`)",
      },
    ]);
  let text: string;
  let source: string;
  if (opts.deployed !== undefined) {
    source = opts.deployed;
    try {
      text = readInputFile(opts.deployed, 64 * 1024 * 1024);
    } catch (e) {
      if (e instanceof InputFileError)
        throw new UsageError([{ path: "--deployed", message: `cannot read it: ${e.reason}` }]);
      throw e;
    }
  } else {
    const stack = present(opts.stack, "--stack (or --deployed)");
    if (!/^[A-Za-z0-9._/-]{1,200}$/.test(stack))
      throw new UsageError([{ path: "--stack", message: "a stack name is letters, digits, '.', '_', '-' and '/'" }]);
    source = stack;
    // With the stored key when no --identity is given: the export shows it only with --show-secrets.
    const args = ["stack", "export", "--stack", stack, ...(opts.identity ? [] : ["--show-secrets"])];
    const r = spawnSync("pulumi", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error || r.status !== 0)
      throw new UsageError([
        {
          path: "--stack",
          message: `pulumi stack export failed: ${(r.error?.message ?? r.stderr).trim().split("\n").pop()}; run it in the project's directory with the stack's backend and passphrase, or give --deployed FILE`,
        },
      ]);
    text = r.stdout;
  }
  try {
    return { exported: JSON.parse(text), source };
  } catch {
    throw new UsageError([
      { path: opts.deployed ? "--deployed" : "--stack", message: "not JSON; give `pulumi stack export` output" },
    ]);
  }
}

function hostsOf(exported: unknown, path: string): ProbedHost[] {
  try {
    return probedHosts(exported);
  } catch (e) {
    if (e instanceof DriftStateError) throw new UsageError(e.problems.map((message) => ({ path, message })));
    throw e;
  }
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n <= 0 || n > 600)
    throw new UsageError([
      { path: "--timeout", message: `must be seconds above 0 and at most 600, got '${value.slice(0, 20)}'` },
    ]);
  return n;
}

/** 0 every check ok; 1 drift on some host; 4 no drift seen but some host could not be checked. */
function exitOf(findings: readonly Finding[]) {
  if (findings.some((f) => f.status === "drift")) return EXIT.violated;
  if (findings.some((f) => f.status === "unknown")) return EXIT.sourceUnavailable;
  return EXIT.ok;
}

export function doctorCommand(setExit: SetExit): Command {
  const command = new Command("doctor")
    .description(
      "the stack's bare-metal hosts against what the deploy left on them (over SSH): containers running with the deployed image and labels, files with the deployed hashes, nftables tables with their rules; says per host what differs and what `pulumi up --refresh` repairs. Exits 1 on drift, 4 when a host cannot be checked (unknown, never ok), 2 on bad input",
    )
    .addOption(new Option("--deployed <file>", "the stack's state: `pulumi stack export > state.json`"))
    .addOption(
      new Option(
        "--stack <name>",
        "read the state with `pulumi stack export --stack <name>` (in the project directory)",
      ),
    )
    .addOption(
      new Option(
        "--identity <file>",
        "SSH private key for the hosts (default: the key in the state when the export shows secrets, else ssh's own keys and agent)",
      ),
    )
    .addOption(
      new Option("--timeout <seconds>", "give up on a host after this long").argParser(parseSeconds).default(30),
    )
    .addOption(new Option("--all", "list the checks that are ok too"))
    .addOption(formatOption(["table", "json", "md"]))
    .addOption(outOption())
    .action(async (opts: DoctorOptions) => {
      const { exported, source } = readExport(opts);
      const hosts = hostsOf(exported, opts.deployed ? "--deployed" : "--stack");
      if (!hosts.length)
        throw new UsageError([
          {
            path: opts.deployed ? "--deployed" : "--stack",
            message:
              "the stack has no bare-metal workloads with a drift probe (deployed before `doctor` existed? run `pulumi up` once)",
          },
        ]);
      const findings = (
        await Promise.all(
          hosts.map((h) =>
            checkHost(
              h.name,
              { ...h.target, identityFile: opts.identity, ...(opts.identity ? { privateKey: undefined } : {}) },
              h.workloads,
              opts.timeout * 1000,
            ),
          ),
        )
      ).flat();
      const text =
        opts.format === "json"
          ? JSON.stringify(doctorToJson(findings, source), null, 2)
          : opts.format === "md"
            ? doctorMarkdown(findings, source, opts.all)
            : doctorTable(findings, source, opts.all);
      emit(text, opts.out, opts.deployed ? [opts.deployed] : []);
      setExit(exitOf(findings));
    });
  return withExamples(command, [
    [
      "sovereign doctor --stack prod",
      "every bare-metal host of stack prod against its state (run in the project directory)",
    ],
    [
      "pulumi stack export --stack prod > state.json && sovereign doctor --deployed state.json --identity ~/.ssh/id_ed25519",
      "from a saved export, with your own SSH key",
    ],
    [
      "sovereign doctor --stack prod --format json || pulumi up --refresh --stack prod --yes",
      "from cron: exit 1 on drift, then repair it",
    ],
  ]);
}
