# Starts Sovereign node {{node}} on a bare-metal host and waits until its containers are healthy.
# Run over SSH by components/baremetal-host.ts; prints no secret.
set -eu
if ! command -v docker >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing docker.io on $(hostname)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null
  else
    echo "$(hostname) has no container runtime and no apt-get: install Docker and docker compose" >&2; exit 1
  fi
fi
if docker compose version >/dev/null 2>&1; then dc() { docker compose "$@"; }
elif command -v docker-compose >/dev/null 2>&1; then dc() { docker-compose "$@"; }
else echo "$(hostname) has Docker but no compose (install docker-compose-plugin or docker-compose)" >&2; exit 1
fi
cd "{{configDir}}"
sh ./prepare.sh
dc -p "{{project}}" -f compose.yaml up -d --remove-orphans
deadline=$(( $(date +%s) + {{timeoutSeconds}} ))
while :; do
  pending=""
  for id in $(dc -p "{{project}}" -f compose.yaml ps -q); do
    # A one-shot init service (label sovereign.once) is done once it exited 0; its client waits for that.
    once=$(docker inspect -f '{{index .Config.Labels "sovereign.once"}} {{.State.Status}} {{.State.ExitCode}}' "$id")
    [ "$once" = "true exited 0" ] && continue
    state=$(docker inspect -f '{{.Name}} {{.State.Status}} {{.State.Health}}' "$id")
    case "$state" in
      *" running <nil>"|*" running {healthy"*) ;;
      *) pending="$pending ${state%% *}" ;;
    esac
  done
  [ -z "$pending" ] && { echo "node {{node}} is up on $(hostname)"; exit 0; }
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "node {{node}} on $(hostname): not healthy after {{timeoutSeconds}}s:$pending" >&2
    dc -p "{{project}}" -f compose.yaml ps >&2 || true
    dc -p "{{project}}" -f compose.yaml logs --tail 20 >&2 || true
    exit 1
  fi
  sleep 2
done
