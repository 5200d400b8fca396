# Stops Sovereign node {{node}} and removes its containers, configuration and data from the host.
set -eu
if [ -f "{{configDir}}/compose.yaml" ]; then
  if docker compose version >/dev/null 2>&1; then dc() { docker compose "$@"; }; else dc() { docker-compose "$@"; }; fi
  dc -p "{{project}}" -f "{{configDir}}/compose.yaml" down --volumes --remove-orphans --timeout 60
fi
rm -rf "{{configDir}}" "{{nodeDataDir}}"
rmdir "{{configRoot}}" "{{dataRoot}}" 2>/dev/null || true
echo "node {{node}} removed from $(hostname)"
