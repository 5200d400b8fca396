import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { transform, type Transform } from "../transform";
import { SSH_DEFAULTS } from "../../core/layout/ssh";

/** How to reach a host over SSH. */
export interface BareMetalConnection {
  /** Address of the host. */
  host: string;
  /** @default 22 */
  port?: number;
  /** @default "root" */
  user?: string;
  /** OpenSSH private key; pass a secret (`pulumi config set --secret sovereign:sshPrivateKey`). */
  privateKey: pulumi.Input<string>;
  /** The host's public key ("ssh-ed25519 AAAA..."), checked on every connection. @default none: any host key is accepted */
  hostKey?: string;
  /** Dial attempts before a host counts as unreachable. @default 10 */
  dialErrorLimit?: number;
  /** Seconds per dial attempt. @default 15 */
  perDialTimeout?: number;
}

/** The remote command's connection, defaults filled in and the key a secret. */
export function sshConnection(c: BareMetalConnection) {
  return {
    host: c.host,
    port: c.port ?? SSH_DEFAULTS.port,
    user: c.user ?? SSH_DEFAULTS.user,
    privateKey: pulumi.secret(c.privateKey),
    hostKey: c.hostKey,
    dialErrorLimit: c.dialErrorLimit ?? 10,
    perDialTimeout: c.perDialTimeout ?? 15,
  };
}

/**
 * A command run over SSH on a bare-metal host (node, gateway, DNS server, overlay interface), with
 * two settings every one of them needs:
 * - replacement deletes the old command before it creates the new one. Old and new act on the same
 *   host's paths, ports, interface and process names, so the old one's delete, run after the new
 *   create (Pulumi's default order), removed what the new one had just made: a self-hosted DNS
 *   server went dark that way while the next `up` reported no changes. A replacement comes from a
 *   changed connection (host, key, dial settings) or trigger.
 * - the previous run's output is not sent in PULUMI_COMMAND_STDOUT/STDERR: nothing reads it, and
 *   an sshd without those names in AcceptEnv (the default) made every command print a warning.
 */
export function remoteCommand(
  t: Transform<command.remote.CommandArgs> | undefined,
  name: string,
  args: command.remote.CommandArgs,
  opts: pulumi.CustomResourceOptions,
): command.remote.Command {
  return new command.remote.Command(
    ...transform(t, name, { addPreviousOutputInEnv: false, ...args }, { deleteBeforeReplace: true, ...opts }),
  );
}
