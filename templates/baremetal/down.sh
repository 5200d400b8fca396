# Stops Sovereign node {{node}} of fleet {{fleet}} and removes its containers, configuration, data
# and port claim from the host. Only what this fleet's node created: other fleets keep theirs.
set -eu
if [ -f "{{configDir}}/compose.yaml" ]; then
  if docker compose version >/dev/null 2>&1; then dc() { docker compose "$@"; }; else dc() { docker-compose "$@"; }; fi
  dc -p "{{project}}" -f "{{configDir}}/compose.yaml" down --volumes --remove-orphans --timeout 60
fi
rm -rf "{{configDir}}" "{{nodeDataDir}}"
rm -f "{{claimsDir}}/{{claim}}.ports"
for d in "{{configRoot}}" "{{dataRoot}}" "{{fleetDir}}" "{{fleetsDir}}" "{{claimsDir}}"; do rmdir "$d" 2>/dev/null || true; done
echo "node {{node}} of fleet {{fleet}} removed from $(hostname)"
