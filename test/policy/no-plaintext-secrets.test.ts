import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { Secret } from "@pulumi/policy";
import { noPlaintextSecrets, plaintextSecrets } from "../../policy/policies/no-plaintext-secrets";
import { violations, type Fixture } from "./args";
import { awsInstance } from "./fixtures";

const JWT_HEX = "5eb0e7f1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d";
// A throw-away key drawn at test time (never a key in the repository).
const KEY = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();

describe("policy no-plaintext-secrets", () => {
  it("passes ordinary inputs, hashes in triggers, and values the engine marked secret", async () => {
    const vm = awsInstance("a", undefined);
    assert.deepEqual(await violations(noPlaintextSecrets, vm), []);
    const cmd: Fixture = {
      type: "command:remote:Command",
      name: "start",
      props: {
        connection: { host: "10.77.0.11", user: "root", privateKey: new Secret(KEY) },
        create: "sh up.sh",
        triggers: [JWT_HEX],
      },
    };
    assert.deepEqual(await violations(noPlaintextSecrets, cmd), []);
  });

  it("blocks a private key, a JWT secret in user-data and an RPC URL with its API key, naming the property", async () => {
    const cmd: Fixture = {
      type: "command:remote:Command",
      name: "start",
      props: { connection: { host: "h", privateKey: KEY }, create: "true" },
    };
    const [key] = await violations(noPlaintextSecrets, cmd);
    assert.match(
      key,
      /^Plaintext secret on start \(command:remote:Command\): connection\.privateKey holds a private key outside a Pulumi secret\. Fix:/,
    );
    const vm = awsInstance("a", undefined);
    vm.props.userData = `#cloud-config\nwrite_files:\n- path: /etc/jwt\n  content: "JWT_SECRET=${JWT_HEX}"\n`;
    assert.match((await violations(noPlaintextSecrets, vm))[0], /userData holds a secret assigned in text/);
    assert.deepEqual(
      plaintextSecrets({ env: { L1_RPC: "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef" } }),
      [{ path: "env.L1_RPC", what: "an RPC URL with an API key" }],
    );
    assert.deepEqual(plaintextSecrets({ jwtSecret: JWT_HEX }), [
      { path: "jwtSecret", what: "a 32-byte hex secret under a secret-sounding name" },
    ]);
    assert.deepEqual(
      plaintextSecrets({
        auth: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      }),
      [{ path: "auth", what: "a JSON Web Token" }],
    );
  });
});
