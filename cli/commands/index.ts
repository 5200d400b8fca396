import type { Command } from "commander";
import type { SetExit } from "../options";
import { akashPricesCommand } from "./akash-prices";
import { catalogCommand } from "./catalog";
import { compareCommand } from "./compare";
import { costCommand } from "./cost";
import { doctorCommand } from "./doctor";
import { outageCommand } from "./outage";
import { planCommand } from "./plan";
import { renderCommand } from "./render";
import { schemaCommand } from "./schema";
import { statusCommand } from "./status";
import { validateCommand } from "./validate";

/** Every command, in the order `--help` lists them. */
export function commands(setExit: SetExit): Command[] {
  return [
    planCommand(setExit),
    compareCommand(),
    outageCommand(setExit),
    validateCommand(setExit),
    statusCommand(setExit),
    doctorCommand(setExit),
    costCommand(setExit),
    renderCommand(),
    catalogCommand(),
    schemaCommand(),
    akashPricesCommand(),
  ];
}
