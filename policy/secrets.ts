/**
 * Keeps secrets recognisable inside policies. @pulumi/policy 1.21 unwraps the engine's secret
 * values before a policy sees them (pulumi/pulumi-policy#241: a policy cannot tell a secret from
 * plaintext). Its own deserializer can keep them wrapped (the `proxySecrets` flag it uses for
 * remediations); the pack turns that on for validations too. Policies read values through the
 * library's proxy exactly as before (secrets come out unwrapped); only no-plaintext-secrets looks
 * under the proxy to see the wrappers. Loaded by index.ts before the pack starts.
 */
// The module object itself (not an ES-module copy), so the server's calls see the replacement.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deserialize = require("@pulumi/policy/deserialize") as {
  deserializeProperties: (s: unknown, proxy: boolean) => unknown;
};

const original = deserialize.deserializeProperties;
deserialize.deserializeProperties = (struct: unknown) => original(struct, true);
