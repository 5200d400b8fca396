#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so a checkout needs no build step.
require("tsx/cjs");
require("../cli/main.ts");
