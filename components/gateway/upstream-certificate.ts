import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import {
  splitCertificateAndKey,
  upstreamCertificateScript,
  type UpstreamCertificateUsage,
} from "../../core/gateway/upstream-tls";
import { transform, type Transform } from "../transform";
import type { UpstreamCa } from "./upstream-ca";

export interface UpstreamCertificateArgs {
  /** The CA that signs it. */
  ca: Pick<UpstreamCa, "pem" | "certificate">;
  /** Subject and DNS name: a node's `upstreamServerName`, or a gateway's id. */
  name: string;
  /** `server` for a node's terminator, `client` for a gateway. */
  usage: UpstreamCertificateUsage;
  /**
   * Edit the args of the child that issues the certificate.
   * @default none
   * @example { issue: { environment: { OPENSSL_CONF: "/etc/ssl/fips.cnf" } } }
   */
  transform?: { issue?: Transform<command.local.CommandArgs> };
}

/**
 * One certificate of the fleet's upstream CA, with its own key, issued once on the machine running
 * `pulumi up` (openssl, templates/gateway/upstream-cert.sh; the CA reaches it on stdin) and kept
 * in state only as a secret. A node's terminator shows a `server` one; a gateway shows a `client` one.
 *
 * @example
 * const client = new UpstreamCertificate("fleet-gw1-tls", { ca, name: "gateway-aws-1", usage: "client" });
 */
export class UpstreamCertificate extends pulumi.ComponentResource {
  readonly certificate: pulumi.Output<string>;
  /** A secret. */
  readonly privateKey: pulumi.Output<string>;
  /** The CA certificate it chains to. */
  readonly ca: pulumi.Output<string>;

  constructor(name: string, args: UpstreamCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sovereign:gateway:UpstreamCertificate", name, {}, opts);
    const [childName, childArgs, childOpts] = transform(
      args.transform?.issue,
      `${name}-issue`,
      {
        create: upstreamCertificateScript(args.name, args.usage),
        stdin: pulumi.secret(args.ca.pem),
        logging: "stderr",
      } as command.local.CommandArgs,
      // Issued once per CA: a changed script must not re-issue it (a new CA on stdin does).
      { parent: this, additionalSecretOutputs: ["stdout"], ignoreChanges: ["create", "environment"] },
    );
    const issued = new command.local.Command(childName, childArgs, childOpts);
    const parts = pulumi.secret(issued.stdout).apply(splitCertificateAndKey);
    this.certificate = pulumi.unsecret(parts.apply((p) => p.certificate));
    this.privateKey = pulumi.secret(parts.apply((p) => p.privateKey));
    this.ca = args.ca.certificate;
    this.registerOutputs({ certificate: this.certificate });
  }
}
