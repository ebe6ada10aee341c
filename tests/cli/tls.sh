#!/bin/sh
# tls.sh -- `elig serve` over HTTPS, with certificates this script makes with openssl in its
# scratch folder: a CA, a server certificate for 127.0.0.1, client certificates of that CA
# and of another.
#
# Over HTTPS an evaluation answers what plain HTTP answers, and keeps its connection alive;
# plain HTTP to the HTTPS port gets nothing; files that cannot be used stop the start with
# a message naming them; a key others can read is warned of; --tls-priorities is applied,
# and its default refuses TLS 1.1; with --tls-client-ca a request without a certificate of
# that CA is answered 403 (JSON) and one with it 200; SIGHUP puts a renewed certificate in
# force, and keeps the one in force when the new files do not go together.
#
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
for tool in curl openssl; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (./bootstrap installs it)"; exit 77
  fi
done
suite=tls
. "${srcdir:-.}/tests/cli/setup.sh"
SERVE_ARGS="--threads 2"
. "$srcdir/tests/cli/serve_setup.sh"
cd "$srcdir" || exit 99
rules=rules/national.rules

# ---------------------------------------------------------------- certificates

# key NAME: a new P-256 key in $tmp/NAME.key, readable by its owner only
key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$tmp/$1.key" 2>/dev/null)
}
# ca NAME: a self-signed CA, $tmp/NAME.pem
ca() {
  key "$1" && openssl req -x509 -new -key "$tmp/$1.key" -subj "/CN=elig test $1" -days 2 \
    -out "$tmp/$1.pem" 2>/dev/null
}
# cert NAME CA SERIAL EXTENSIONS: a certificate of CA for NAME's key, $tmp/NAME.pem
cert() {
  [ -f "$tmp/$1.key" ] || key "$1" || return 1
  printf '%b' "$4" > "$tmp/$1.ext"
  openssl req -new -key "$tmp/$1.key" -subj "/CN=$1" -out "$tmp/$1.csr" 2>/dev/null &&
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2.pem" -CAkey "$tmp/$2.key" -set_serial "$3" \
      -days 2 -extfile "$tmp/$1.ext" -out "$tmp/$1.pem" 2>/dev/null
}
server_ext='subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
client_ext='extendedKeyUsage=clientAuth\n'
ca ca && ca other &&
  cert server ca 2 "$server_ext" && cert office ca 3 "$client_ext" &&
  cert stranger other 4 "$client_ext" && cert renewed other 5 "$server_ext" && key spare ||
  { echo "FAIL: tls: openssl could not make the test certificates"; exit 1; }

# ---------------------------------------------------------------- servers

# start and stop: tests/cli/serve_setup.sh's (with --threads 2).

# refused NAME STATUS PATTERN ARGS...: `elig serve ARGS` exits STATUS without listening and
# says PATTERN (a grep -E pattern) on standard error.
refused() {
  name=$1 want=$2 pattern=$3; shift 3
  ${ELIG_WRAPPER:-} "$ELIG" serve --listen 127.0.0.1:0 "$@" >/dev/null 2>"$tmp/$name.err" &
  pid=$!
  servers="$servers $pid"
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  kill -9 "$pid" 2>/dev/null # still running after 10 s: it started, and fails the check
  wait "$pid"; status=$?
  check "$name-exit-$want" [ "$status" = "$want" ]
  check "$name-says-why" grep -q -E -e "$pattern" "$tmp/$name.err"
}

tls_server="--tls-cert $tmp/server.pem --tls-key $tmp/server.key"
start plain $rules
start https $tls_server $rules
start mutual $tls_server --tls-client-ca "$tmp/ca.pem" $rules
P=http://127.0.0.1:$plain_port
H=https://127.0.0.1:$https_port
M=https://127.0.0.1:$mutual_port
head -3 data/sample.jsonl > "$tmp/three.jsonl"

# ---------------------------------------------------------------- HTTPS

# The same answer over HTTPS as over plain HTTP, from a server whose certificate curl checks
# against the CA (and 127.0.0.1 against its subjectAltName).
curl -s -H 'Expect:' --data-binary @"$tmp/three.jsonl" "$P/v1/evaluate" > "$tmp/plain.out"
curl -s -S -H 'Expect:' --cacert "$tmp/ca.pem" --data-binary @"$tmp/three.jsonl" \
  "$H/v1/evaluate" > "$tmp/https.out" 2>"$tmp/https.err"
check https-answers [ -s "$tmp/https.out" ]
check https-equals-plain cmp -s "$tmp/https.out" "$tmp/plain.out"
check https-certificate-logged grep -q '"event":"tls","cause":"start","outcome":"loaded","subject":"CN=server"' \
  "$tmp/https.log"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/other.pem" "$H/healthz")
check https-other-ca-distrusts [ "$code" = 000 ]
# Keep-alive over TLS: the second request goes over the first one's connection.
curl -sv --cacert "$tmp/ca.pem" "$H/healthz" "$H/healthz" >/dev/null 2>"$tmp/keepalive"
check https-keeps-connection grep -q 'Re-using existing connection' "$tmp/keepalive"
# Plain HTTP to the HTTPS port: no answer at all (the TLS layer drops it).
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$https_port/healthz")
check plain-http-to-https-port-fails [ "$code" = 000 ]
check https-key-private-no-warning sh -c "! grep -q '\"event\":\"warning\"' '$tmp/https.log'"

# --tls-priorities: TLS 1.2 only refuses a client that wants 1.3; the default takes 1.3.
start tls12 $tls_server --tls-priorities 'NORMAL:-VERS-ALL:+VERS-TLS1.2' $rules
code=$(curl -s -o /dev/null -w '%{http_code}' --tlsv1.3 --cacert "$tmp/ca.pem" \
  "https://127.0.0.1:$tls12_port/healthz")
check priorities-applied [ "$code" = 000 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --tlsv1.2 --tls-max 1.2 --cacert "$tmp/ca.pem" \
  "https://127.0.0.1:$tls12_port/healthz")
check priorities-tls12-answers [ "$code" = 200 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --tlsv1.3 --cacert "$tmp/ca.pem" "$H/healthz")
check priorities-default-tls13 [ "$code" = 200 ]
stop tls12
# The default leaves out TLS 1.0 and 1.1, which GnuTLS's NORMAL offers: a client of TLS 1.1
# (OpenSSL lets curl speak it at security level 0) is answered by NORMAL, not by the default.
start legacy $tls_server --tls-priorities NORMAL $rules
tls11() { # tls11 PORT: the status of a request over TLS 1.1
  curl -s -o /dev/null -w '%{http_code}' --tlsv1.1 --tls-max 1.1 --ciphers 'DEFAULT@SECLEVEL=0' \
    --cacert "$tmp/ca.pem" "https://127.0.0.1:$1/healthz"
}
if [ "$(tls11 "$legacy_port")" = 200 ]; then
  check priorities-default-refuses-tls11 [ "$(tls11 "$https_port")" = 000 ]
else
  echo "tls: this curl cannot speak TLS 1.1: the default's refusal of it not tried"
fi
stop legacy

# A key others can read works, with a warning naming it.
cp "$tmp/server.key" "$tmp/open.key"
chmod 644 "$tmp/open.key"
start open --tls-cert "$tmp/server.pem" --tls-key "$tmp/open.key" $rules
check key-readable-warned grep -q "\"event\":\"warning\",\"message\":\"the private key can be read by others than its owner: chmod 600 it\",\"file\":\"$tmp/open.key\"" \
  "$tmp/open.log"
stop open

# ---------------------------------------------------------------- start-up refusals

refused mismatch 2 "--tls-key: the key in '$tmp/spare.key' does not belong to the certificate in '$tmp/server.pem'" \
  --tls-cert "$tmp/server.pem" --tls-key "$tmp/spare.key" $rules
refused missing-cert 4 "--tls-cert: cannot read '$tmp/nothing.pem': " \
  --tls-cert "$tmp/nothing.pem" --tls-key "$tmp/server.key" $rules
refused cert-not-pem 2 "--tls-cert: '$tmp/server.key' holds no certificate in PEM form" \
  --tls-cert "$tmp/server.key" --tls-key "$tmp/server.key" $rules
refused key-not-pem 2 "--tls-key: '$tmp/server.pem' holds no private key in PEM form" \
  --tls-cert "$tmp/server.pem" --tls-key "$tmp/server.pem" $rules
cat "$tmp/ca.pem" "$tmp/server.pem" > "$tmp/upside-down.pem"
refused chain-out-of-order 2 "the certificates in '$tmp/upside-down.pem' are out of order" \
  --tls-cert "$tmp/upside-down.pem" --tls-key "$tmp/server.key" $rules
openssl pkey -in "$tmp/server.key" -aes256 -passout pass:x -out "$tmp/locked.key" 2>/dev/null
refused key-encrypted 2 "the key in '$tmp/locked.key' is encrypted" \
  --tls-cert "$tmp/server.pem" --tls-key "$tmp/locked.key" $rules
refused cert-without-key 2 "--tls-cert and --tls-key go together" \
  --tls-cert "$tmp/server.pem" $rules
refused client-ca-without-cert 2 "--tls-client-ca and --tls-priorities need --tls-cert" \
  --tls-client-ca "$tmp/ca.pem" $rules
refused client-ca-not-pem 2 "--tls-client-ca: '$tmp/ca.key' holds no certificate in PEM form" \
  $tls_server --tls-client-ca "$tmp/ca.key" $rules
refused bad-priorities 2 "--tls-priorities: GnuTLS does not take 'NORMAL:\+NOSUCH' .*at '\+NOSUCH'" \
  $tls_server --tls-priorities 'NORMAL:+NOSUCH' $rules

# ---------------------------------------------------------------- client certificates

# mutual_get NAME CURL-ARGS...: GET /healthz from the --tls-client-ca server; the status in
# $tmp/NAME.code, the body in $tmp/NAME.body, the headers in $tmp/NAME.headers.
mutual_get() {
  name=$1; shift
  curl -s --cacert "$tmp/ca.pem" -D "$tmp/$name.headers" -o "$tmp/$name.body" \
    -w '%{http_code}' "$@" "$M/healthz" > "$tmp/$name.code"
}
mutual_get none
check client-none-403 [ "$(cat "$tmp/none.code")" = 403 ]
check client-none-json grep -q '"code": "client_certificate_required"' "$tmp/none.body"
check client-none-closes grep -qi '^connection: close' "$tmp/none.headers"
check client-none-hash grep -qi '^elig-rules-hash: sha256:' "$tmp/none.headers"
mutual_get stranger --cert "$tmp/stranger.pem" --key "$tmp/stranger.key"
check client-other-ca-403 [ "$(cat "$tmp/stranger.code")" = 403 ]
check client-other-ca-json grep -q '"code": "client_certificate_invalid"' "$tmp/stranger.body"
check client-other-ca-why grep -q 'not issued by a CA of the service' "$tmp/stranger.body"
mutual_get purpose --cert "$tmp/server.pem" --key "$tmp/server.key"
check client-server-cert-403 [ "$(cat "$tmp/purpose.code")" = 403 ]
check client-server-cert-why grep -q 'not meant for TLS clients' "$tmp/purpose.body"
office="--cert $tmp/office.pem --key $tmp/office.key"
curl -s -H 'Expect:' --cacert "$tmp/ca.pem" $office --data-binary @"$tmp/three.jsonl" \
  "$M/v1/evaluate" > "$tmp/mutual.out"
check client-right-ca-evaluates cmp -s "$tmp/mutual.out" "$tmp/plain.out"
# Verified chains are remembered per thread: many requests with the right certificate, then
# the others again on every thread, still refused.
curl -s --cacert "$tmp/ca.pem" $office -o "$tmp/office#1.body" -w '%{http_code}\n' \
  "$M/healthz#[1-20]" > "$tmp/office.codes"
check client-right-ca-all-200 [ "$(grep -c '^200$' "$tmp/office.codes")" = 20 ]
for i in 1 2 3 4; do
  mutual_get stranger$i --cert "$tmp/stranger.pem" --key "$tmp/stranger.key"
  mutual_get none$i
done
check client-others-still-403 [ "$(cat "$tmp"/stranger?.code "$tmp"/none?.code)" = 403403403403403403403403 ]
check client-refusals-logged [ "$(grep -c '"status":403' "$tmp/mutual.log")" = 11 ]

# ---------------------------------------------------------------- SIGHUP

# reload_and_wait NAME N: SIGHUP, then wait for the N-th "tls" reload line of NAME's log.
reload_and_wait() {
  eval "pid=\$${1}_pid"
  kill -HUP "$pid"
  i=0
  while [ "$(grep -c '"event":"tls","cause":"SIGHUP"' "$tmp/$1.log")" -lt "$2" ] && [ $i -lt 200 ]; do
    sleep 0.05; i=$((i + 1))
  done
}
cp "$tmp/server.pem" "$tmp/live.pem"
cp "$tmp/server.key" "$tmp/live.key"
start live --tls-cert "$tmp/live.pem" --tls-key "$tmp/live.key" $rules
L=https://127.0.0.1:$live_port/healthz
reload_and_wait live 1
check reload-same-unchanged grep -q '"cause":"SIGHUP","outcome":"unchanged"' "$tmp/live.log"
# A new certificate without its key: refused, the one in force stays.
cp "$tmp/renewed.pem" "$tmp/live.pem"
reload_and_wait live 2
check reload-mismatch-logged grep -q '"outcome":"failed; the certificate in force stays","error":"--tls-key: the key in' \
  "$tmp/live.log"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/ca.pem" "$L")
check reload-mismatch-keeps-old [ "$code" = 200 ]
# With its key: new connections get the renewed certificate (of the other CA).
cp "$tmp/renewed.key" "$tmp/live.key"
reload_and_wait live 3
check reload-replaced-logged grep -q '"cause":"SIGHUP","outcome":"replaced","subject":"CN=renewed"' "$tmp/live.log"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/other.pem" "$L")
check reload-new-certificate-served [ "$code" = 200 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/ca.pem" "$L")
check reload-old-certificate-gone [ "$code" = 000 ]
stop live

stop plain
stop https
stop mutual
finish
