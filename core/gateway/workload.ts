/**
 * The gateway as a workload, in the same shape as a node's (core/workload): a docker compose
 * project with one `gateway` service running HAProxy, the systemd unit and prepare script from the
 * same templates, plus the HAProxy files. Delivered like a node: cloud-init on AWS/GCP/Azure,
 * compose over SSH on bare metal. Pure; secrets enter as values in {@link gatewayFiles}.
 */
import { createHash } from "node:crypto";
import { stringify, parse } from "yaml";
import { WORLD_CIDRS, cidrProblems, type IngressRule } from "../workload/firewall";
import {
  DEFAULT_CONFIG_ROOT,
  DEFAULT_DATA_ROOT,
  workloadHome,
  NODE_RPC_USER,
  workloadFiles,
  type ComposeService,
  type PublishedPort,
  type Workload,
  type WorkloadFile,
} from "../workload/render";
import { fillDeep, readTemplate } from "../workload/templates";
import {
  GATEWAY_FILES,
  renderApiKeyMap,
  renderCertificateFile,
  renderGatewayConfig,
  type RenderedGatewayConfig,
} from "./haproxy";
import type { GatewayApiKey, GatewayConfigInput } from "./types";
import { present } from "../present";
import { partImage } from "../catalog/load";
import { SSH_DEFAULTS } from "../layout/ssh";

/** Where the gateway container sees its configuration directory. */
export const GATEWAY_CONTAINER_CONFIG_DIR = "/etc/haproxy/sovereign";

export interface GatewayWorkloadOptions {
  /** Fleet name, written into container labels. @default "sovereign" */
  fleet?: string;
  /** @default "/srv/sovereign" */
  dataRoot?: string;
  /** The compose project and HAProxy files go to `<configRoot>/<gateway id>/`. @default "/etc/sovereign" */
  configRoot?: string;
  /** docker compose project name, prefix of the container name and the systemd unit (bare metal: by fleet). @default the gateway id */
  project?: string;
  /** HAProxy image. @default partImage("gateway") (catalog/images.yaml); the lab builds its own (e2e/lab/build-gateway-image.sh) */
  image?: string;
  /** eRPC image of the integrity layer (chains with integrity). @default partImage("erpc") (catalog/images.yaml) */
  erpcImage?: string;
  /** Template directory. @default the package's `templates/` */
  templateDir?: string;
}

export interface GatewayWorkload extends Workload {
  haproxy: RenderedGatewayConfig;
  /** `<configDir>/haproxy` on the host, mounted read-only at GATEWAY_CONTAINER_CONFIG_DIR. */
  haproxyDir: string;
}

/** Secrets of a gateway, as values (the component passes them from secret Outputs). */
export interface GatewaySecrets {
  /** Required when the config has `apiKeys: true` (an empty list refuses every request). */
  apiKeys?: GatewayApiKey[];
  /** Required when the config has `tls: true`. */
  tls?: { certificate: string; privateKey: string };
  /** Required when an upstream has `mtls`: the fleet's upstream CA and this gateway's client certificate (PEM). */
  upstreamTls?: { ca: string; certificate: string; privateKey: string };
  /** Required for chains whose RPC kind wants credentials: the nodes' RPC password by chain key (the user is NODE_RPC_USER). */
  upstreamAuth?: Record<string, string>;
}

/** The gateway's compose project. The input's `configDir` and `runAs` are set here (the container's view). */
export function renderGatewayWorkload(
  input: Omit<GatewayConfigInput, "configDir" | "runAs">,
  options: GatewayWorkloadOptions = {},
): GatewayWorkload {
  const haproxy = renderGatewayConfig(
    { ...input, configDir: GATEWAY_CONTAINER_CONFIG_DIR, runAs: "haproxy" },
    options.templateDir,
  );
  const id = haproxy.config.gateway;
  const fleet = options.fleet ?? "sovereign";
  const dataRoot = (options.dataRoot ?? DEFAULT_DATA_ROOT).replace(/\/+$/, "");
  const configDir = `${(options.configRoot ?? DEFAULT_CONFIG_ROOT).replace(/\/+$/, "")}/${id}`;
  const haproxyDir = `${configDir}/haproxy`;
  const project = options.project ?? id;
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(project))
    throw new Error(`${id}: project '${project}' must be lower-case letters, digits, - _ .`);
  const defaults = fillDeep(
    parse(readTemplate("compose-service.yaml", options.templateDir)) as Record<string, unknown>,
    {
      fleet,
      node: id,
      layer: "gateway",
      client: "haproxy",
      stopGracePeriod: "30s",
    },
    "templates/compose-service.yaml",
  ) as Omit<ComposeService, "image" | "container_name" | "command" | "volumes">;
  const configHash = createHash("sha256")
    .update(haproxy.haproxyCfg)
    .update(haproxy.lagCheckLua)
    .digest("hex")
    .slice(0, 16);
  const service: ComposeService = {
    image: options.image ?? partImage("gateway"),
    container_name: `${project}-gateway`,
    command: ["haproxy", "-W", "-db", "-f", haproxy.paths.config],
    ...defaults,
    // Host network: the upstreams' overlay addresses (wg0) are the host's, and no docker-proxy sits
    // in the data path. Root reads the secret files, then HAProxy drops to its `haproxy` user.
    network_mode: "host",
    user: "0:0",
    volumes: [`${haproxyDir}:${GATEWAY_CONTAINER_CONFIG_DIR}:ro`],
  };
  // A changed configuration recreates the container (compose sees a changed label).
  service.labels = { ...service.labels, "sovereign.gateway.config": configHash };
  const compose: { services: Record<string, ComposeService> } = { services: { gateway: service } };
  if (haproxy.erpcYaml) compose.services.erpc = erpcService(haproxy, service, options, project, haproxyDir);
  const [metricsHost] = haproxy.config.metrics.split(/:(?=\d+$)/);
  const ports: PublishedPort[] = [
    {
      service: "gateway",
      client: "haproxy",
      name: "rpc",
      port: haproxy.port,
      containerPort: haproxy.port,
      protocol: "tcp",
      exposure: "rpc",
    },
    {
      service: "gateway",
      client: "haproxy",
      name: "metrics",
      port: haproxy.metricsPort,
      containerPort: haproxy.metricsPort,
      protocol: "tcp",
      exposure: "private",
      hostIp: metricsHost,
    },
  ];
  if (haproxy.erpcYaml) ports.push(...erpcPorts(haproxy, metricsHost));
  return {
    ...workloadHome({ fleet, id, project, dataRoot, configDir }),
    compose,
    composeYaml: `# docker compose project of Sovereign RPC gateway ${id} (${haproxy.config.chains.map((c) => c.chain).join(", ")}); rendered by core/gateway.\n${stringify(compose, { lineWidth: 0 })}`,
    ports,
    dataDirs: {},
    rpc: { service: "gateway", port: haproxy.port },
    hostPortOffset: 0,
    needsJwt: false,
    needsRpcPassword: false,
    secrets: [],
    templateDir: options.templateDir,
    haproxy,
    haproxyDir,
  };
}

/**
 * The eRPC sidecar of the integrity layer: host network like HAProxy (it dials the same upstream
 * addresses), listening on loopback only. Runs as the official image's user (distroless `nonroot`),
 * so only erpc.yaml is mounted (at /erpc.yaml, where the official image looks), not the gateway's
 * root-only config directory.
 */
function erpcService(
  haproxy: RenderedGatewayConfig,
  gateway: ComposeService,
  options: GatewayWorkloadOptions,
  project: string,
  haproxyDir: string,
): ComposeService {
  const { user: _user, command: _command, image: _image, volumes: _volumes, ...shared } = gateway;
  return {
    ...shared,
    image: options.erpcImage ?? partImage("erpc"),
    container_name: `${project}-erpc`,
    command: ["/erpc-server", "/erpc.yaml"],
    user: "65532:65532",
    volumes: [`${haproxyDir}/${GATEWAY_FILES.erpc}:/erpc.yaml:ro`],
    labels: {
      ...gateway.labels,
      "sovereign.client": "erpc",
      "sovereign.gateway.config": createHash("sha256")
        .update(present(haproxy.erpcYaml, "the eRPC config"))
        .digest("hex")
        .slice(0, 16),
    },
  };
}

/** eRPC's ports, claimed on the host like HAProxy's: both private (loopback and the metrics address). */
function erpcPorts(haproxy: RenderedGatewayConfig, metricsHost: string): PublishedPort[] {
  const e = haproxy.config.erpc;
  const port = (name: string, p: number, hostIp: string): PublishedPort => ({
    ...{ service: "erpc", client: "erpc", name, port: p, containerPort: p },
    ...{ protocol: "tcp", exposure: "private", hostIp },
  });
  return [port("rpc", e.port, "127.0.0.1"), port("metrics", e.metricsPort, metricsHost)];
}

/** The HAProxy files of a gateway (config, Lua, and the secret key map and certificate). Never log the result. */
export function gatewayConfigFiles(w: GatewayWorkload, secrets: GatewaySecrets = {}): WorkloadFile[] {
  const h = w.haproxy;
  const files: WorkloadFile[] = [
    { path: `${w.haproxyDir}/${GATEWAY_FILES.config}`, content: h.haproxyCfg, mode: "0644", secret: false },
    { path: `${w.haproxyDir}/lag-check.lua`, content: h.lagCheckLua, mode: "0644", secret: false },
  ];
  if (h.erpcYaml)
    files.push({ path: `${w.haproxyDir}/${GATEWAY_FILES.erpc}`, content: h.erpcYaml, mode: "0644", secret: false });
  if (h.config.apiKeys) {
    if (!secrets.apiKeys)
      throw new Error(
        `${w.node}: apiKeys is on but no keys were given (pass apiKeys, e.g. [{ name, key: config.requireSecret("apiKeyAlice") }])`,
      );
    files.push({
      path: `${w.haproxyDir}/api-keys.map`,
      content: renderApiKeyMap(secrets.apiKeys),
      mode: "0600",
      secret: true,
    });
  }
  if (h.config.tls) {
    if (!secrets.tls)
      throw new Error(
        `${w.node}: tls is on but no certificate was given (pass tls: { certificate, privateKey } as secrets)`,
      );
    files.push({
      path: `${w.haproxyDir}/tls.pem`,
      content: renderCertificateFile(secrets.tls.certificate, secrets.tls.privateKey),
      mode: "0600",
      secret: true,
    });
  }
  if (h.upstreamTls) {
    const u = secrets.upstreamTls;
    if (!u)
      throw new Error(
        `${w.node}: an upstream is dialled over mTLS but no upstream certificate was given (pass upstreamTls: { ca, certificate, privateKey }; the Fleet makes them with UpstreamCa)`,
      );
    if (!/-----BEGIN CERTIFICATE-----/.test(u.ca))
      throw new Error(`${w.node}: upstreamTls.ca: expected a PEM certificate (-----BEGIN CERTIFICATE-----)`);
    files.push(
      { path: `${w.haproxyDir}/${GATEWAY_FILES.upstreamCa}`, content: `${u.ca.trim()}\n`, mode: "0644", secret: false },
      {
        path: `${w.haproxyDir}/${GATEWAY_FILES.upstreamClient}`,
        content: renderCertificateFile(u.certificate, u.privateKey),
        mode: "0600",
        secret: true,
      },
    );
  }
  const authChains = Object.entries(h.upstreamAuth);
  if (authChains.length) {
    files.push({
      path: `${w.haproxyDir}/${GATEWAY_FILES.upstreamAuth}`,
      content: renderUpstreamAuthMap(w.node, h.upstreamAuth, secrets.upstreamAuth ?? {}),
      mode: "0600",
      secret: true,
    });
  }
  return files;
}

/** The upstream-auth map: `<backend> Basic <base64 user:password>` per chain whose nodes want credentials. Secret. */
export function renderUpstreamAuthMap(
  gateway: string,
  backends: Record<string, string>,
  passwords: Record<string, string>,
): string {
  const lines = Object.entries(backends).map(([chain, backend]) => {
    const password = passwords[chain];
    if (!password || /[\s:]/.test(password))
      throw new Error(
        `${gateway}: upstreamAuth.${chain}: the RPC password of ${chain}'s nodes is missing or has blanks or ':' (the Fleet draws one per chain)`,
      );
    return `${backend} Basic ${Buffer.from(`${NODE_RPC_USER}:${password}`).toString("base64")}`;
  });
  return `${lines.join("\n")}\n`;
}

/** Every file of the gateway: the compose project, unit and prepare script, then the HAProxy files. */
export function gatewayFiles(w: GatewayWorkload, secrets: GatewaySecrets = {}): WorkloadFile[] {
  return [...workloadFiles(w), ...gatewayConfigFiles(w, secrets)];
}

export interface GatewayExposureOptions {
  /** Who may reach the public RPC port. @default ["0.0.0.0/0"] (the world: it is the public endpoint) */
  allowCidrs?: readonly string[];
  /** CIDRs allowed to reach SSH. @default [] (SSH closed) */
  adminCidrs?: readonly string[];
  /** @default 22 */
  sshPort?: number;
}

/** Inbound rules of a gateway host: the public port from `allowCidrs`, SSH from `adminCidrs`; metrics never. */
export function gatewayIngressRules(w: GatewayWorkload, options: GatewayExposureOptions = {}): IngressRule[] {
  const allow = [...(options.allowCidrs ?? WORLD_CIDRS)];
  const problems = [...cidrProblems("allowCidrs", allow), ...cidrProblems("adminCidrs", options.adminCidrs ?? [])];
  if (problems.length) throw new Error(`${w.node}: ${problems.join("; ")}`);
  const port = w.haproxy.port;
  const rules: IngressRule[] = allow.length
    ? [
        {
          key: `rpc-${port}-tcp`,
          source: allow.some((c) => WORLD_CIDRS.includes(c)) ? "world" : "rpc",
          protocol: "tcp",
          port,
          cidrs: allow,
          description: `gateway/haproxy ${w.haproxy.scheme}`,
        },
      ]
    : [];
  if (options.adminCidrs?.length) {
    const ssh = options.sshPort ?? SSH_DEFAULTS.port;
    rules.push({
      key: `ssh-${ssh}-tcp`,
      source: "admin",
      protocol: "tcp",
      port: ssh,
      cidrs: [...options.adminCidrs],
      description: "ssh",
    });
  }
  return rules;
}
