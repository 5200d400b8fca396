import { Command } from "commander";
import { fleetJsonSchema } from "../../core/fleet-spec/schema";
import { withExamples } from "../options";
import { emit } from "../output";

export function schemaCommand(): Command {
  const command = new Command("schema")
    .description("print the JSON Schema of the fleet spec (for editor completion)")
    .action(() => emit(JSON.stringify(fleetJsonSchema(), null, 2)));
  return withExamples(command, [
    [
      "sovereign schema > fleet.schema.json",
      "save the schema; then start fleet.yaml with " + "# yaml-language-server: $schema=./fleet.schema.json",
    ],
  ]);
}
