# Claims the host ports of node {{node}} of fleet {{fleet}} before anything of it lands on the host:
# a port another node (of any fleet) holds is refused, so a fleet never takes over another's node.
set -eu
claims="{{claimsDir}}"
install -d -m 0755 "$claims"
# One claimer at a time per host (flock on the directory; hosts without flock skip the lock).
exec 9<"$claims"
if command -v flock >/dev/null 2>&1; then flock -w 60 9; fi
for f in "$claims"/*.ports; do
  [ -f "$f" ] || continue
  [ "$f" = "$claims/{{claim}}.ports" ] && continue
  owner=$(basename "$f" .ports)
  for p in {{ports}}; do
    if grep -qx "$p" "$f"; then
      echo "$(hostname): host port $p is held by node ${owner#*_} of fleet ${owner%%_*} ($f); node {{node}} of fleet {{fleet}} needs it too. P2P ports cannot move: place the nodes on different hosts; RPC and private ports move with the bare-metal port offset (sovereign:hostPortOffset)." >&2
      exit 3
    fi
  done
done
printf '%s\n' {{ports}} > "$claims/{{claim}}.ports.new"
mv "$claims/{{claim}}.ports.new" "$claims/{{claim}}.ports"
