import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { splitCertificateAndKey, upstreamCaScript } from "../../core/gateway/upstream-tls";
import { transform, type Transform } from "../transform";

export interface UpstreamCaArgs {
  /** Fleet name: the CA's subject (`<fleet> upstream CA`). */
  fleet: string;
  /**
   * Edit the args of the child that draws the CA.
   * @default none
   * @example { generate: { environment: { OPENSSL_CONF: "/etc/ssl/fips.cnf" } } }
   */
  transform?: { generate?: Transform<command.local.CommandArgs> };
}

/**
 * The fleet's private CA for mTLS between its gateways and the nodes outside the WireGuard overlay
 * (Akash leases): drawn once on the machine running `pulumi up` (openssl, templates/gateway/
 * upstream-ca.sh), kept in state only as a secret. Only the fleet's gateways and terminators trust
 * it. It stays the same across updates; `pulumi up --replace` on it rotates every certificate.
 *
 * @example
 * const ca = new UpstreamCa("fleet-upstream-ca", { fleet: "eth-rpc-prod" });
 * const server = new UpstreamCertificate("fleet-n1-tls", { ca, name: "n1.eth-rpc-prod.upstream.sovereign", usage: "server" });
 */
export class UpstreamCa extends pulumi.ComponentResource {
  /** The CA certificate, PEM (not secret: gateways and terminators check against it). */
  readonly certificate: pulumi.Output<string>;
  /** Certificate then private key, PEM (a secret): what UpstreamCertificate signs with. */
  readonly pem: pulumi.Output<string>;

  constructor(name: string, args: UpstreamCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:gateway:UpstreamCa", name, {}, opts);
    const [childName, childArgs, childOpts] = transform(
      args.transform?.generate,
      `${name}-generate`,
      // A secret input makes the engine treat the command's outputs as secret in diffs too.
      { create: pulumi.secret(upstreamCaScript(args.fleet)), logging: "stderr" } as command.local.CommandArgs,
      // Drawn once: a changed script or environment must not rotate the CA (and replace every lease).
      { parent: this, additionalSecretOutputs: ["stdout"], ignoreChanges: ["create", "environment"] },
    );
    const generated = new command.local.Command(childName, childArgs, childOpts);
    this.pem = pulumi.secret(generated.stdout);
    this.certificate = pulumi.unsecret(this.pem.apply((p) => splitCertificateAndKey(p).certificate));
    this.registerOutputs({ certificate: this.certificate });
  }
}
