# Issues one certificate of a fleet's upstream CA (components/gateway/upstream-certificate.ts): the
# CA's certificate and key come on stdin; {{name}} is the DNS name (subjectAltName, what peers check;
# the subject's CN, at most 64 characters, is {{cn}}),
# extended key usage {{usage}} (serverAuth for a node's terminator, clientAuth for a gateway).
# Prints the certificate, then its key (PEM); Pulumi keeps them as a secret.
set -eu
umask 077
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT INT TERM HUP
cat >"$d/ca.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN={{cn}}" \
  -keyout "$d/key.pem" -out "$d/req.csr"
printf 'subjectAltName=DNS:%s\nextendedKeyUsage=%s\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n' \
  "{{name}}" "{{usage}}" >"$d/ext"
openssl x509 -req -in "$d/req.csr" -CA "$d/ca.pem" -CAkey "$d/ca.pem" -set_serial "0x$(openssl rand -hex 16)" \
  -days 3650 -extfile "$d/ext" -out "$d/cert.pem"
cat "$d/cert.pem" "$d/key.pem"
