import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sshConnection } from "../../components/baremetal/remote";
import { SshConnection } from "../../core/fleet-spec/schema";
import { SSH_DEFAULTS } from "../../core/layout/ssh";

describe("SSH connection defaults have one home", () => {
  test("the spec and the deploy's connection fill the same user and port, root on 22", () => {
    assert.deepEqual(SSH_DEFAULTS, { user: "root", port: 22 });
    const spec = SshConnection.parse({});
    const deploy = sshConnection({ host: "10.0.0.1", privateKey: "key" });
    assert.deepEqual({ user: spec.user, port: spec.port }, SSH_DEFAULTS);
    assert.deepEqual({ user: deploy.user, port: deploy.port }, SSH_DEFAULTS);
    // What the user gives wins everywhere.
    const given = sshConnection({ host: "10.0.0.1", privateKey: "key", user: "deploy", port: 2222 });
    assert.deepEqual({ user: given.user, port: given.port }, { user: "deploy", port: 2222 });
  });
});
