import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { wireGuardPublicKey } from "../../core/overlay/keys";
import { transform, type Transform } from "../transform";

export interface WireGuardKeyArgs {
  /**
   * Edit the args of the child that draws the key.
   * @default none
   * @example { generate: { environment: { OPENSSL_CONF: "/etc/ssl/fips.cnf" } } }
   */
  transform?: { generate?: Transform<command.local.CommandArgs> };
}

/**
 * A WireGuard key pair for one machine of the overlay. 32 random bytes are drawn once, on the machine
 * running `pulumi up` (`openssl rand -base64 32`; X25519 clamps them itself, as `wg genkey` does),
 * and kept in state only as a secret; the public key is computed from it with node:crypto.
 * The key stays the same across updates: the command runs only when the resource is created.
 *
 * @example
 * const key = new WireGuardKey("fleet-h4-wg");
 * export const publicKey = key.publicKey;
 */
export class WireGuardKey extends pulumi.ComponentResource {
  /** Base64 private key (a secret). */
  readonly privateKey: pulumi.Output<string>;
  /** Base64 public key (not secret: it goes into the peers' configuration). */
  readonly publicKey: pulumi.Output<string>;

  constructor(name: string, args: WireGuardKeyArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:overlay:WireGuardKey", name, {}, opts);
    const [childName, childArgs, childOpts] = transform(
      args.transform?.generate,
      `${name}-generate`,
      {
        create: "openssl rand -base64 32",
        logging: "stderr",
      } as command.local.CommandArgs,
      { parent: this, additionalSecretOutputs: ["stdout"] },
    );
    const generated = new command.local.Command(childName, childArgs, childOpts);
    this.privateKey = pulumi.secret(generated.stdout.apply((s) => s.trim()));
    this.publicKey = pulumi.unsecret(this.privateKey.apply(wireGuardPublicKey));
    this.registerOutputs({ publicKey: this.publicKey });
  }
}
