import { Command, Option } from "commander";
import { loadCatalog } from "../../core/catalog/load";
import { didYouMean } from "../../core/fleet-spec/suggest";
import { partImage } from "../../core/catalog/load";
import { mtlsNodes } from "../../core/gateway";
import { planChecked } from "../../core/planner/checked";
import { baremetalPortOffsets, baremetalWorkloadOptions } from "../../core/workload/baremetal";
import { renderCloudInit } from "../../core/workload/cloud-init";
import { renderWorkload, type WorkloadSecrets } from "../../core/workload/render";
import { renderSdl, SdlError, sdlYaml } from "../../core/workload/sdl";
import { validateSdl } from "../../core/workload/sdl-validate";
import { quote } from "../../core/errors";
import { UsageError } from "../errors";
import { loadSpec } from "../load";
import { brokenChecksNote, outOption, specArgument, withExamples } from "../options";
import { emit } from "../output";
import { present } from "../../core/present";

type As = "sdl" | "compose" | "cloud-init";

/** Shown where a secret goes; the real values are filled by `pulumi up`, never by `render`. */
const PLACEHOLDERS: WorkloadSecrets = {
  l1Rpc: "<secret l1Rpc: filled at deploy>",
  l1Beacon: "<secret l1Beacon: filled at deploy>",
};

export function renderCommand(): Command {
  const command = new Command("render")
    .addArgument(specArgument())
    .description(
      "print what a planned node will run: its Akash SDL, docker compose project or cloud-init user-data (no secrets)",
    )
    .requiredOption("--node <id>", "node id from `sovereign plan`")
    .addOption(new Option("--as <what>", "what to print").choices(["sdl", "compose", "cloud-init"]).default("compose"))
    .option("--public-rpc", "render the SDL as if sovereign:rpcAllowCidrs were set (RPC global on Akash)")
    .addOption(outOption())
    .action(async (specPath: string | undefined, opts: { node: string; as: As; publicRpc?: boolean; out?: string }) => {
      const catalog = loadCatalog();
      const { spec, fleet } = loadSpec(specPath, catalog);
      const plan = await planChecked(fleet, catalog);
      const node = plan.nodes.find((n) => n.id === opts.node);
      process.stderr.write(brokenChecksNote(plan));
      if (!node) {
        const ids = plan.nodes.map((n) => n.id);
        const gateway = plan.gateways.some((g) => g.id === opts.node);
        throw new UsageError([
          {
            path: "--node",
            message: gateway
              ? `${quote(opts.node)} is a gateway (HAProxy, deployed by the program from the plan), not a node; render prints a node's workload: give one of ${ids.join(", ")}`
              : `no node ${quote(opts.node)} in the plan${didYouMean(opts.node, ids)}; nodes: ${ids.join(", ")}`,
          },
        ]);
      }
      if (opts.as === "sdl") {
        if (node.provider !== "akash")
          throw new UsageError([
            {
              path: "--as",
              message: `${node.id} is planned on ${node.provider}, not Akash; use --as compose or --as cloud-init`,
            },
          ]);
        try {
          const sdl = renderSdl(node, catalog, {
            audited: spec.sites.akash?.audited,
            attributes: spec.sites.akash?.attributes,
            publicRpc: opts.publicRpc,
            // What pulumi up deploys: a terminator when the plan's gateways serve the node's chain.
            upstreamTls: mtlsNodes(plan).some((n) => n.id === node.id) ? { image: partImage("gateway") } : undefined,
          });
          validateSdl(node.id, sdl.document, catalog);
          emit(
            `${sdlYaml(sdl)}# valid: @akashnetwork/chain-sdk validateSDL and generateManifest (mainnet)\n`,
            opts.out,
          );
        } catch (e) {
          if (e instanceof SdlError)
            throw new UsageError(
              e.problems.map((message) => ({ path: node.id, message })),
              { header: `${node.id} cannot run on Akash as planned` },
            );
          throw e;
        }
        return;
      }
      if (node.provider === "baremetal") {
        if (opts.as === "cloud-init")
          throw new UsageError([
            {
              path: "--as",
              message: `${node.id} is planned on bare-metal host ${node.host}, which gets its compose project over SSH, not cloud-init; use --as compose`,
            },
          ]);
        // What pulumi up runs on the host: its paths, project name and shifted host ports.
        const onBareMetal = plan.nodes.filter((n) => n.provider === "baremetal");
        const offset = present(baremetalPortOffsets(onBareMetal, catalog).get(node.id), `${node.id}'s port offset`);
        emit(
          renderWorkload(node, catalog, baremetalWorkloadOptions(plan.fleet, node.id, offset)).composeYaml,
          opts.out,
        );
        return;
      }
      const workload = renderWorkload(node, catalog, { fleet: plan.fleet });
      emit(opts.as === "compose" ? workload.composeYaml : renderCloudInit(workload, PLACEHOLDERS), opts.out);
    });
  return withExamples(command, [
    [
      "sovereign render --node ethereum-akash-1 --as sdl",
      "the Akash SDL of a node of the bundled example, validated offline",
    ],
    ["sovereign render fleet.yaml --node bitcoin-aws-us-east-1-1", "the docker compose project a node runs"],
    [
      "sovereign render fleet.yaml --node bitcoin-aws-us-east-1-1 --as cloud-init",
      "the VM's user-data (secrets as placeholders)",
    ],
  ]);
}
