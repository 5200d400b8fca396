# Sets server {{node}} of backend {{backend}} to {{action}} at gateway {{gateway}} (HAProxy's stats page,
# admin from the host's loopback only: templates/gateway/haproxy.cfg), for a rolling upgrade
# (core/rollout). drain: no new requests, then waits up to {{drainSeconds}} s for the in-flight ones.
# A gateway that does not run yet (the fleet's first deploy) has nothing to drain: that is said, not failed.
set -u
stats="http://{{metrics}}/stats"
if ! docker ps --format '{{.Names}}' | grep -qx '{{container}}'; then
  echo "gateway {{gateway}} is not running on $(hostname) yet: nothing to {{action}} for {{node}}"
  exit 0
fi
where=$(curl -s -m 5 -o /dev/null -w '%{redirect_url}' -d 's={{node}}&action={{action}}&b={{backend}}' "$stats") || where=""
case "$where" in
  *st=DONE*) ;;
  *) echo "gateway {{gateway}} refused to {{action}} {{node}} in {{backend}} (answer '$where'): is the stats page on loopback (gateways.metrics)?" >&2; exit 1 ;;
esac
[ "{{action}}" = drain ] || { echo "{{node}} is back in {{backend}} at gateway {{gateway}}"; exit 0; }
deadline=$(( $(date +%s) + {{drainSeconds}} ))
while :; do
  inflight=$(curl -s -m 5 "$stats;csv" | awk -F, -v b='{{backend}}' -v s='{{node}}' '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "scur") col = i; next }
    $1 == b && $2 == s { print $col }')
  if [ "${inflight:-0}" = 0 ]; then echo "{{node}} drained at gateway {{gateway}}"; exit 0; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "{{node}} drained at gateway {{gateway}} with $inflight request(s) still in flight after {{drainSeconds}} s"; exit 0
  fi
  sleep 1
done
