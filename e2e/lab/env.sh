# Source me:  source e2e/lab/env.sh
# Puts the lab's Pulumi engine on PATH and sets Pulumi to run fully offline
# against a local file backend. POSIX sh compatible; safe with `set -u`.
SOVEREIGN_TOOLS_DIR="${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}"
SOVEREIGN_LAB_DIR="${SOVEREIGN_LAB_DIR:-$HOME/.cache/sovereign/lab}"
SOVEREIGN_PULUMI_VERSION=v3.259.0
SOVEREIGN_ENGINE_BIN="$SOVEREIGN_TOOLS_DIR/pulumi-$SOVEREIGN_PULUMI_VERSION/bin"
export SOVEREIGN_TOOLS_DIR SOVEREIGN_LAB_DIR SOVEREIGN_ENGINE_BIN
case ":$PATH:" in *":$SOVEREIGN_ENGINE_BIN:"*) ;; *) PATH="$SOVEREIGN_ENGINE_BIN:$PATH" ;; esac
export PATH
# plugins/resource-command-v1.2.1/ lives here (see build-engine.sh)
export PULUMI_HOME="${SOVEREIGN_PULUMI_HOME:-$SOVEREIGN_TOOLS_DIR/pulumi-home}"
# state of the lab's stacks: a local file backend under the lab dir
mkdir -p "$SOVEREIGN_LAB_DIR/pulumi-state" 2>/dev/null || true
export PULUMI_BACKEND_URL="${SOVEREIGN_PULUMI_BACKEND_URL:-file://$SOVEREIGN_LAB_DIR/pulumi-state}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-sovereign-lab}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_SKIP_CONFIRMATIONS=true
export PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS=true
# lab hosts (written by hosts-up.sh): [{name,address,port,user,privateKeyPath,dockerSocket,hostKey,srvDir}]
export SOVEREIGN_LAB_HOSTS_JSON="$SOVEREIGN_LAB_DIR/hosts.json"
export SOVEREIGN_LAB_SSH_KEY="$SOVEREIGN_LAB_DIR/id_ed25519"
export SOVEREIGN_LAB_KNOWN_HOSTS="$SOVEREIGN_LAB_DIR/known_hosts"
# wireguard-go built by build-wireguard.sh (userspace WireGuard for lab hosts: the kernel has no module)
SOVEREIGN_WIREGUARD_GO="$(ls -d "$SOVEREIGN_TOOLS_DIR"/wireguard-go-*/wireguard-go 2>/dev/null | tail -n 1)"
export SOVEREIGN_WIREGUARD_GO
