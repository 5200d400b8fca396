// Entry point of `pulumi up` (Pulumi.yaml: main). Registers tsx so the TypeScript sources run
// without a build step (as bin/sovereign.js does), whatever the language host's TypeScript mode;
// exporting a function makes Pulumi await it and turn the resolved object into stack outputs.
require("tsx/cjs");
module.exports = require("./deploy.ts").deploy;
