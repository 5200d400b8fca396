/**
 * cloud-init user-data for a cloud VM: mount the data disk, install Docker, write the node's compose
 * project and start it (see templates/cloud-init.yaml). The output contains the node's secrets
 * when any are passed: treat it as a secret.
 */
import { gzipSync } from "node:zlib";
import { parse, stringify } from "yaml";
import { workloadFiles, type Workload, type WorkloadFile, type WorkloadSecrets } from "./render";
import { fill, fillDeep, readTemplate } from "./templates";

export interface DataDisk {
  /**
   * Device paths or shell globs where the data disk shows up, e.g.
   * `/dev/disk/by-id/google-sovereign-data`. Several matching devices (local NVMe/SSD) are striped.
   */
  devices: string[];
}

export interface CloudInitOptions {
  /** The data disk to mount at the workload's dataRoot. @default none (data on the boot disk) */
  disk?: DataDisk;
  /** Extra SSH public keys for the default user. @default none */
  sshAuthorizedKeys?: string[];
  /**
   * Files beyond the workload's own (e.g. the RPC gateway's HAProxy config); may hold secrets.
   * Written gzip-compressed (cloud-init `encoding: gz+b64`): EC2 takes at most 16 KiB of user-data.
   * @default none
   */
  extraFiles?: WorkloadFile[];
  /**
   * The private overlay: kernel WireGuard from a `wg-quick` configuration (it holds the machine's
   * private key: the user-data is a secret) and the node's host firewall (nftables,
   * core/workload/nftables.ts), which lets only the gateways reach RPC over the overlay. Both come
   * up before the node starts. A gateway has no firewall here: its cloud firewall opens only its
   * public port, and it dials the nodes rather than being dialled over the overlay.
   * @default none
   */
  overlay?: { interface: string; wgQuick: string; firewall?: string };
}

export const MOUNT_SCRIPT = "/usr/local/sbin/sovereign-mount-data";

interface CloudConfig {
  write_files: Array<{ path: string; content: string; permissions: string; owner: string; encoding?: string }>;
  runcmd: unknown[][];
  ssh_authorized_keys?: string[];
  [k: string]: unknown;
}

/** `#cloud-config` user-data for one node. */
export function renderCloudInit(w: Workload, secrets: WorkloadSecrets = {}, options: CloudInitOptions = {}): string {
  const prepareScript = `${w.configDir}/prepare.sh`;
  const values = { node: w.node, dataRoot: w.dataRoot, unit: w.unit, mountScript: MOUNT_SCRIPT, prepareScript };
  const config = fillDeep(
    parse(readTemplate("cloud-init.yaml", w.templateDir)) as CloudConfig,
    values,
    "templates/cloud-init.yaml",
  );

  const files = workloadFiles(w, secrets);
  if (options.disk) {
    if (options.disk.devices.length === 0) throw new Error(`${w.node}: a data disk needs at least one device path`);
    for (const d of options.disk.devices) {
      if (!/^\/dev\/[\w./*?:+-]+$/.test(d)) throw new Error(`${w.node}: '${d}' is not a /dev path or glob`);
    }
    files.unshift({
      path: MOUNT_SCRIPT,
      content: fill(
        readTemplate("mount-data-disk.sh", w.templateDir),
        { dataRoot: w.dataRoot, devicePatterns: options.disk.devices.join(" ") },
        "templates/mount-data-disk.sh",
      ),
      mode: "0755",
      secret: false,
    });
  } else {
    config.runcmd = config.runcmd.filter((cmd) => !cmd.includes(MOUNT_SCRIPT));
  }
  if (options.overlay) {
    const { interface: iface, wgQuick, firewall } = options.overlay;
    if (!/^[a-zA-Z0-9_-]{1,15}$/.test(iface)) throw new Error(`${w.node}: '${iface}' is not an interface name`);
    files.push({ path: `/etc/wireguard/${iface}.conf`, content: wgQuick, mode: "0600", secret: true });
    config.packages = [...((config.packages as string[] | undefined) ?? []), "wireguard-tools", "nftables"];
    config.runcmd.unshift(["systemctl", "enable", "--now", `wg-quick@${iface}`]);
    if (firewall !== undefined) {
      files.push({ path: `${w.configDir}/overlay-firewall.nft`, content: firewall, mode: "0600", secret: false });
      // Before the node starts: its RPC port is never open to anyone but the gateways.
      config.runcmd.unshift(["nft", "-f", `${w.configDir}/overlay-firewall.nft`]);
    }
  }
  // Clients' catalog files (a 22 KB genesis) and extra files go compressed: EC2 takes 16 KiB of user-data.
  const clientFiles = new Set((w.files ?? []).map((f) => f.hostPath));
  const entry = (f: WorkloadFile, gz: boolean): CloudConfig["write_files"][number] =>
    gz
      ? {
          path: f.path,
          encoding: "gz+b64",
          content: gzipSync(f.content, { level: 9 }).toString("base64"),
          permissions: f.mode,
          owner: "root:root",
        }
      : { path: f.path, content: f.content, permissions: f.mode, owner: "root:root" };
  config.write_files = [
    ...files.map((f) => entry(f, clientFiles.has(f.path))),
    ...(options.extraFiles ?? []).map((f) => entry(f, true)),
  ];
  if (options.sshAuthorizedKeys?.length) config.ssh_authorized_keys = options.sshAuthorizedKeys;
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
