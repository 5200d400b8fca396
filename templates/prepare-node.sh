#!/bin/sh
# Prepares node {{node}} before its containers start: data directories on the data disk, and the
# engine-API JWT shared by its execution and consensus/rollup clients.
set -eu
chmod 0700 "{{configDir}}"
{{dataDirCommands}}
{{jwtCommands}}
