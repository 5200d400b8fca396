# Sets server {{node}} to {{action}} in backends {{backends}} (those the gateway has) at gateway {{gateway}}
# (HAProxy's stats page, admin from the host's loopback only: templates/gateway/haproxy.cfg), for a
# rolling upgrade (core/rollout). drain: no new requests, then waits up to {{drainSeconds}} s for the
# in-flight ones. A gateway that does not run yet (the fleet's first deploy) has nothing to drain:
# that is said, not failed.
set -u
stats="http://{{metrics}}/stats"
if ! docker ps --format '{{.Names}}' | grep -qx '{{container}}'; then
  echo "gateway {{gateway}} is not running on $(hostname) yet: nothing to {{action}} for {{node}}"
  exit 0
fi
# scur (requests in flight) of the node in each backend the gateway has, one line per backend.
inflight() {
  curl -s -m 5 "$stats;csv" | awk -F, -v s='{{node}}' -v list='{{backends}}' '
    BEGIN { n = split(list, bs, " "); for (i = 1; i <= n; i++) want[bs[i]] = 1 }
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "scur") col = i; next }
    ($1 in want) && $2 == s { print $1, $col }'
}
present=$(inflight | awk '{ print $1 }')
[ -n "$present" ] || { echo "gateway {{gateway}} has no server {{node}} in {{backends}}" >&2; exit 1; }
for backend in $present; do
  where=$(curl -s -m 5 -o /dev/null -w '%{redirect_url}' -d "s={{node}}&action={{action}}&b=$backend" "$stats") || where=""
  case "$where" in
    *st=DONE*) ;;
    *) echo "gateway {{gateway}} refused to {{action}} {{node}} in $backend (answer '$where'): is the stats page on loopback (gateways.metrics)?" >&2; exit 1 ;;
  esac
done
[ "{{action}}" = drain ] || { echo "{{node}} is back in" $present "at gateway {{gateway}}"; exit 0; }
deadline=$(( $(date +%s) + {{drainSeconds}} ))
while :; do
  busy=$(inflight | awk '$2 != 0 { n += $2 } END { print n + 0 }')
  if [ "$busy" = 0 ]; then echo "{{node}} drained at gateway {{gateway}}"; exit 0; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "{{node}} drained at gateway {{gateway}} with $busy request(s) still in flight after {{drainSeconds}} s"; exit 0
  fi
  sleep 1
done
