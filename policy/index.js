// Entry point of the pack (package.json main): registers tsx so index.ts and the repository's core/
// run without a build step, as program/index.js does for the Pulumi program.
require("tsx/cjs");
require("./index.ts");
