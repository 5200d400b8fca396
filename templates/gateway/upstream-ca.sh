# Draws a fleet's upstream CA on the machine running `pulumi up` (components/gateway/upstream-ca.ts):
# EC P-256, ten years (it is trusted only by the fleet's own gateways and terminators; rotate it with
# `pulumi up --replace`). Prints its certificate, then its key (PEM); Pulumi keeps them as a secret.
set -eu
umask 077
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT INT TERM HUP
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/CN={{name}}" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$d/key.pem" -out "$d/cert.pem"
cat "$d/cert.pem" "$d/key.pem"
