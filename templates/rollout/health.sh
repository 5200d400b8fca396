# The health bar of a rolling upgrade (core/rollout) for node {{node}} of {{chain}}, checked from
# gateway {{gateway}}'s host, which reaches every node of the chain: the gateway's own health check
# passes ({{kind}} RPC: answers and in sync) and the node's head is within {{maxLagBlocks}} blocks of the
# best node's, for {{soakSeconds}} s in a row, within {{timeoutSeconds}} s. Before the gateway exists (the
# fleet's first deploy) there is no traffic to protect and no credentials to read a Bitcoin node's head
# with: the node's own start already waited for its containers' health, so the bar is met at once.
# Prints no secret.
set -u
body='{{headBody}}'
auth_file='{{authFile}}'
auth=""
if [ -n "$auth_file" ] && [ -r "$auth_file" ]; then
  auth=$(awk -v b='{{backend}}' '$1 == b { $1 = ""; sub(/^ /, ""); print; exit }' "$auth_file")
fi
head_of() {
  if [ -n "$auth" ]; then
    answer=$(printf 'authorization: %s\n' "$auth" | curl -s -m 5 -H @- -H 'content-type: application/json' --data "$body" "$1")
  else
    answer=$(curl -s -m 5 -H 'content-type: application/json' --data "$body" "$1")
  fi
  h=$(printf '%s' "$answer" | tr -d '\n' | sed -n '{{headSed}}')
  case "$h" in
    '') ;;
    0x*) printf '%d\n' "$h" ;;
    *) printf '%s\n' "$h" ;;
  esac
}
gateway_check() {
  if ! docker ps --format '{{.Names}}' | grep -qx '{{container}}'; then echo "no gateway yet"; return; fi
  curl -s -m 5 "http://{{metrics}}/stats;csv" | awk -F, -v b='{{backend}}' -v s='{{node}}' '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "check_status") col = i; next }
    $1 == b && $2 == s { print $col }'
}
start=$(date +%s)
deadline=$(( start + {{timeoutSeconds}} ))
since=""
while :; do
  mine=$(head_of '{{url}}')
  best="$mine"
  for peer in {{peers}}; do
    h=$(head_of "$peer")
    if [ -n "$h" ] && { [ -z "$best" ] || [ "$h" -gt "$best" ]; }; then best=$h; fi
  done
  check=$(gateway_check)
  healthy=no
  case "$check" in
    "no gateway yet") healthy=yes ;;
    L7OK*) [ -n "$mine" ] && [ $(( best - mine )) -le {{maxLagBlocks}} ] && healthy=yes ;;
  esac
  now=$(date +%s)
  if [ "$healthy" = yes ]; then
    since=${since:-$now}
    soak={{soakSeconds}}
    [ "$check" = "no gateway yet" ] && soak=0
    if [ $(( now - since )) -ge "$soak" ]; then
      echo "{{node}} passed the health bar after $(( now - start )) s: head $mine, best $best, gateway check ${check:-none}"
      exit 0
    fi
  else
    since=""
  fi
  if [ "$now" -ge "$deadline" ]; then
    echo "rollout stopped at node {{node}} ({{chain}}): health bar not met within {{timeoutSeconds}} s (gateway {{gateway}}'s health check passing, head within {{maxLagBlocks}} blocks of the best node for {{soakSeconds}} s); last seen: head ${mine:-none}, best ${best:-none}, gateway check ${check:-none}. The nodes of later waves keep the old release; fix the release and run pulumi up again" >&2
    exit 1
  fi
  sleep 2
done
