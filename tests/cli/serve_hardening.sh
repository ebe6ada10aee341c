#!/bin/sh
# serve_hardening.sh -- `elig serve` against requests meant to get round it or to take it:
# bytes an HTTP client library would never send (through tests/cli/rawhttp), and requests
# that are valid but too much.  Each check here failed before the defect it names was fixed.
#
#   framing     two Content-Length headers, Content-Length with chunked, a transfer coding
#               other than chunked, no Host: refused with JSON and the connection closed, so
#               that nothing smuggled after them is answered
#   heads       a first request head libmicrohttpd would answer itself in HTML (a version
#               other than 1.x, a Content-Length beyond 64 bits, a malformed request or
#               header line, a target or head too large) answered in JSON with the hash,
#               logged and counted; a good head cut in two still served
#   targets     %00 in a path or a parameter; a parameter given twice; a path with an
#               identifier in it is not logged as sent
#   types       a media type that only begins like JSON Lines is not JSON Lines
#   headers     Elig-Ignored-Keys never cuts a character in half
#   limits      records, output bytes and evaluation time of one request; bodies held at
#               once; a full queue answers "busy" while /healthz still answers
#   connections past --max-connections refused at once, not left in the kernel's queue;
#               a request head that takes longer than --header-timeout closed; at the
#               limit, a connection still waiting for its head makes room for a newcomer;
#               past --max-per-client from one address refused, others still served
#
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER, RAWHTTP, SLOWCLIENT.
suite=serve_hardening
. "${srcdir:-.}/tests/cli/setup.sh"
. "$srcdir/tests/cli/serve_setup.sh"
cd "$srcdir" || exit 99 # the rules and the sample are the source tree's

start main rules/national.rules
P=$main_port
U=http://127.0.0.1:$P

# raw NAME: sends standard input to the server as it is; the answer in $tmp/NAME.
raw() { "$RAWHTTP" "$P" 3 > "$tmp/$1"; }
statuses() { grep -c '^HTTP/1\.[01] ' "$tmp/$1"; }
closed() { tail -1 "$tmp/$1" | grep -q '^<closed>$'; }
json_error() { # json_error NAME CODE: one answer, JSON, with the code and the rules' hash
  [ "$(statuses "$1")" = 1 ] && grep -q '^Content-Type: application/json' "$tmp/$1" &&
    grep -q "\"code\": \"$2\"" "$tmp/$1" && grep -q '"rules": "sha256:' "$tmp/$1"
}

# ---------------------------------------------------------------- framing

printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 60\r\n\r\n[]GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
  raw two_lengths
check two-lengths-refused json_error two_lengths bad_request
check two-lengths-closed closed two_lengths

printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
  raw length_and_chunked
check length-and-chunked-refused json_error length_and_chunked bad_request
check length-and-chunked-closed closed length_and_chunked

printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n' |
  raw gzip_chunked
check gzip-chunked-answered json_error gzip_chunked unsupported_transfer_encoding
check gzip-chunked-501 grep -q '^HTTP/1.1 501 ' "$tmp/gzip_chunked"

printf 'GET /healthz HTTP/1.1\r\n\r\n' | raw no_host
check no-host-refused json_error no_host bad_request

# a well-framed request keeps its connection: the two after it are both answered
printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
  raw pipelined
check pipelined-all-answered [ "$(statuses pipelined)" = 3 ]

# ---------------------------------------------------------------- heads

# head NAME STATUS CODE: the answer to a malformed first head, from the service, in JSON
head_refused() {
  json_error "$1" "$3" && grep -q "^HTTP/1.1 $2 " "$tmp/$1" && closed "$1" &&
    grep -q '^Elig-Rules-Hash: sha256:' "$tmp/$1"
}
printf 'GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n' | raw version
check head-version-505 head_refused version 505 http_version_not_supported
printf 'GET /healthz HTTP/0.9\r\nHost: x\r\n\r\n' | raw old_version
check head-old-version-505 head_refused old_version 505 http_version_not_supported
# libmicrohttpd answered this one with its 413 headers twice
printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000000000000000000000\r\n\r\n' |
  raw huge_length
check head-huge-length-413-once head_refused huge_length 413 body_too_large
printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 2x\r\n\r\n[]' | raw bad_length
check head-bad-length-400 head_refused bad_length 400 bad_request
printf 'GET /healthz\r\nHost: x\r\n\r\n' | raw no_version
check head-no-version-400 head_refused no_version 400 bad_request
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n' | raw bad_field
check head-bad-field-400 head_refused bad_field 400 bad_request
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n' | raw folded
check head-folded-400 head_refused folded 400 bad_request
printf 'GET /healthz HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n' | raw lone_cr
check head-lone-cr-400 head_refused lone_cr 400 bad_request
a9000=$(head -c 9000 /dev/zero | tr '\0' a)
printf 'GET /healthz?%s HTTP/1.1\r\nHost: x\r\n\r\n' "$a9000" | raw long_target
check head-long-target-414 head_refused long_target 414 uri_too_long
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %s%s\r\n\r\n' "$a9000" "$a9000" | raw big_head
check head-too-large-431 head_refused big_head 431 headers_too_large
awk 'BEGIN { printf "GET /healthz HTTP/1.1\r\nHost: x\r\n"
             for (i = 0; i < 150; i++) printf "X-A%d: 1\r\n", i; printf "\r\n" }' |
  raw many_fields
check head-many-fields-431 head_refused many_fields 431 headers_too_large
check heads-logged [ "$(grep -c '"answered_by":"front door"' "$tmp/main.log")" -ge 11 ]
check heads-logged-with-status grep -q '"method":"GET","path":null,"status":505' "$tmp/main.log"
check heads-counted sh -c "curl -s '$U/metrics' | grep -q 'endpoint=\"other\",method=\"GET\",status=\"505\"} [1-9]'"
# a good head that comes in two pieces, a pause between them, is served
{ printf 'GET /healthz HTTP/1.1\r\nHo'; sleep 0.3; printf 'st: x\r\nConnection: close\r\n\r\n'; } |
  raw split_head
check head-in-two-pieces-served grep -q '^HTTP/1.1 200 ' "$tmp/split_head"
# empty lines before the request line are allowed (RFC 9112, 2.2)
printf '\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw blank_first
check head-blank-line-first-served grep -q '^HTTP/1.1 200 ' "$tmp/blank_first"
# a later request of a kept-alive connection is libmicrohttpd's to read: its answer (HTML)
# is logged with its status
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/2.0\r\nHost: x\r\n\r\n' | raw later
check later-head-answered-twice [ "$(statuses later)" = 2 ]
check later-head-logged grep -q '"event":"http",.*"status":505' "$tmp/main.log"

# ---------------------------------------------------------------- targets

printf 'GET /v1/rules%%00x HTTP/1.1\r\nHost: x\r\n\r\n' | raw nul_rules
check nul-in-path-refused json_error nul_rules bad_request
printf 'GET /healthz%%00.json HTTP/1.1\r\nHost: x\r\n\r\n' | raw nul_health
check nul-before-suffix-refused json_error nul_health bad_request
printf 'GET /healthz?%%00=1 HTTP/1.1\r\nHost: x\r\n\r\n' | raw nul_param
check nul-in-parameter-refused json_error nul_param bad_request

code=$(curl -s -o "$tmp/twice" -w '%{http_code}' -H 'Expect:' --data-binary @data/sample.jsonl \
  "$U/v1/evaluate?as_of=2020-01-01&as_of=2021-06-30")
check parameter-twice-refused [ "$code" = 400 ]
check parameter-twice-said grep -q "parameter 'as_of' is given more than once" "$tmp/twice"

curl -s -o /dev/null "$U/v1/households/411623196704071715"
check path-identifier-not-logged sh -c "! grep -q 411623196704071715 '$tmp/main.log'"
check unknown-path-logged-null grep -q '"path":null,"status":404' "$tmp/main.log"

# ---------------------------------------------------------------- types

# A pretty-printed object is one record as JSON; read as JSON Lines its lines would each be
# rejected.  application/x-ndjsonXYZ is not JSON Lines.
jq . < "$srcdir/data/sample.jsonl" 2>/dev/null | awk '/^}/ { print; exit } { print }' > "$tmp/pretty"
code=$(curl -s -o "$tmp/xyz" -w '%{http_code} %{content_type}' -H 'Expect:' \
  -H 'Content-Type: application/x-ndjsonXYZ' --data-binary @"$tmp/pretty" "$U/v1/evaluate")
check media-type-prefix-not-json-lines [ "$code" = "200 application/json" ]
code=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' -H 'Expect:' \
  -H 'Content-Type: application/x-ndjson; charset=utf-8' --data-binary @"$tmp/pretty" \
  "$U/v1/evaluate")
check media-type-with-parameter-is-json-lines [ "$code" = "200 application/x-ndjson" ]

# ---------------------------------------------------------------- headers

key=$(awk 'BEGIN { for (i = 0; i < 40; i++) printf "é" }')
head -1 data/sample.jsonl | sed "s/^{/{\"$key\":1,/" > "$tmp/accented"
curl -s -o /dev/null -D "$tmp/accented.h" -H 'Expect:' --data-binary @"$tmp/accented" \
  "$U/v1/evaluate"
first=$(sed -n 's/^Elig-Ignored-Keys: 1; first=\([^\r]*\).*/\1/p' "$tmp/accented.h")
check ignored-key-shown [ -n "$first" ]
leads=$(printf '%s' "$first" | grep -o '%C3' | wc -l)
trails=$(printf '%s' "$first" | grep -o '%A9' | wc -l)
check ignored-key-whole-characters [ "$leads" = "$trails" ]

stop main

# ---------------------------------------------------------------- limits

# An x per line: each a rejected record with a long error line.  Caps on records and on
# output answer with the error alone.
awk 'BEGIN { for (i = 0; i < 5000; i++) print "x" }' > "$tmp/xs" # 10,000 bytes
start limits --max-records 1000 --max-output 64K --eval-timeout 1ms --max-buffered 8K \
  rules/national.rules
L=http://127.0.0.1:$limits_port
head -1500 "$tmp/xs" | curl -s -o "$tmp/many" -w "%{http_code}" -H "Expect:" -H "Content-Type: application/x-ndjson" \
  --data-binary @- "$L/v1/evaluate" > "$tmp/many.code"
check too-many-records-413 [ "$(cat "$tmp/many.code")" = 413 ]
check too-many-records-said grep -q '"code": "too_many_records"' "$tmp/many"
head -600 "$tmp/xs" | curl -s -o "$tmp/long" -w '%{http_code}' -H 'Expect:' \
  -H 'Content-Type: application/x-ndjson' --data-binary @- "$L/v1/evaluate" > "$tmp/long.code"
check output-or-time-capped grep -q -e '"code": "output_too_large"' \
  -e '"code": "evaluation_timeout"' "$tmp/long"
check over-buffered-busy sh -c "curl -s -H 'Expect:' --data-binary @'$tmp/xs' \
  '$L/v1/evaluate' | grep -q '\"code\": \"busy\"'"
stop limits

start capped --max-output 64K rules/national.rules
C=http://127.0.0.1:$capped_port
head -1000 "$tmp/xs" | curl -s -o "$tmp/capped" -H 'Expect:' \
  -H 'Content-Type: application/x-ndjson' --data-binary @- "$C/v1/evaluate"
check output-too-large grep -q '"code": "output_too_large"' "$tmp/capped"
check output-capped-small [ "$(wc -c < "$tmp/capped")" -lt 1000 ]
stop capped

start timed --eval-timeout 1ms --max-body 64M rules/national.rules
T=http://127.0.0.1:$timed_port
for i in 1 2 3 4 5 6 7 8 9 10; do cat data/sample.jsonl; done > "$tmp/12k"
curl -s -o "$tmp/timed" -w '%{http_code}' -H 'Expect:' --data-binary @"$tmp/12k" \
  "$T/v1/evaluate" > "$tmp/timed.code"
check evaluation-timeout-503 [ "$(cat "$tmp/timed.code")" = 503 ]
check evaluation-timeout-said grep -q '"code": "evaluation_timeout"' "$tmp/timed"
stop timed

# One worker and room for one request waiting: while two long requests hold them, others
# are answered "busy" at once, and /healthz is answered all along (it never waits for a
# worker).  The others are ten records, over --inline-body: a body of one record would be
# answered on the network thread, never waiting for a worker either.  The long ones are 24,000 records each, a good half second of evaluation.
cat "$tmp/12k" "$tmp/12k" > "$tmp/24k"
start pool --workers 1 --queue 1 --max-body 64M rules/national.rules
W=http://127.0.0.1:$pool_port
longs=""
for n in 1 2; do
  curl -s -o "$tmp/long$n.body" -D "$tmp/long$n.h" -w '%{http_code}\n' -H 'Expect:' \
    --data-binary @"$tmp/24k" "$W/v1/evaluate" > "$tmp/long$n" &
  longs="$longs $!"
done
i=0
while [ $i -lt 100 ]; do # until both hold the worker and the queue
  code=$(head -10 data/sample.jsonl | curl -s -o "$tmp/third" -D "$tmp/third.h" \
    -w '%{http_code}' -H 'Expect:' --data-binary @- "$W/v1/evaluate")
  [ "$code" = 503 ] && break
  i=$((i + 1)); sleep 0.02
done
health=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$W/healthz")
one=$(head -1 data/sample.jsonl | curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
  --max-time 2 --data-binary @- "$W/v1/evaluate")
wait $longs
check one-record-inline-while-busy [ "$one" = 200 ]
# whichever came third, a short one or the second long one, was told "busy"
check queue-full-busy grep -q '"code": "busy"' "$tmp/third" "$tmp/long1.body" "$tmp/long2.body"
check queue-full-retry-after grep -qi '^Retry-After: 1' "$tmp/third.h" "$tmp/long1.h" "$tmp/long2.h"
check health-while-workers-busy [ "$health" = 200 ]
# a long one can come in after a short one took the place in the queue: busy too, then
check long-requests-answered sh -c "grep -q '^200\$' '$tmp/long1' '$tmp/long2' &&
  ! grep -v -e '^200\$' -e '^503\$' '$tmp/long1' '$tmp/long2'"
stop pool

# ---------------------------------------------------------------- connections

# 20 connections sending a body a byte a second (each inside a request: not to be closed to
# make room) against a limit of 10: ten are held, ten closed at once.
start conns --max-connections 10 rules/national.rules
"$SLOWCLIENT" 127.0.0.1 "$conns_port" 20 2 body 127.0.0.2 > "$tmp/over"
check over-limit-closed-at-once grep -q '^open 10 closed 10 ' "$tmp/over"
check over-limit-logged grep -q '"event":"connections".*"refused":[1-9]' "$tmp/conns.log"
stop conns

# Request heads a byte a second: closed once --header-timeout (1 s) has passed, although
# never idle for --timeout.
start heads --header-timeout 1 rules/national.rules
"$SLOWCLIENT" 127.0.0.1 "$heads_port" 5 4 headers 127.0.0.2 > "$tmp/heads"
check slow-heads-closed grep -q '^open 0 closed 5 ' "$tmp/heads"
check slow-heads-logged grep -q '"event":"connections".*"header_timeout":[1-9]' "$tmp/heads.log"
stop heads

# At the limit with slow heads only, a newcomer is taken and the slowest closed: every
# ordinary request is still answered.
start room --max-connections 20 --header-timeout 60 rules/national.rules
"$SLOWCLIENT" 127.0.0.1 "$room_port" 20 5 headers 127.0.0.2 > "$tmp/room" &
slow=$!
sleep 2
ok=0
for i in 1 2 3 4 5; do
  code=$(head -1 data/sample.jsonl | curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
    -H 'Expect:' --data-binary @- "http://127.0.0.1:$room_port/v1/evaluate")
  [ "$code" = 200 ] && ok=$((ok + 1))
done
wait $slow
check room-made-for-newcomers [ $ok = 5 ]
check room-evicted-slow grep -q '"event":"connections".*"evicted":[1-9]' "$tmp/room.log"
stop room

# Ten connections from one address against --max-per-client 4: four held, six closed at
# once; another address is still served.
start per_client --max-per-client 4 rules/national.rules
"$SLOWCLIENT" 127.0.0.1 "$per_client_port" 10 3 body 127.0.0.3 > "$tmp/per_client" &
slow=$!
sleep 1
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$per_client_port/healthz")
wait $slow
check per-client-limit grep -q '^open 4 closed 6 ' "$tmp/per_client"
check per-client-others-served [ "$code" = 200 ]
# heads never finished, their clients gone: nothing stays counted (the door sees them leave)
"$SLOWCLIENT" 127.0.0.1 "$per_client_port" 10 2 headers 127.0.0.4 > "$tmp/per_client_heads"
sleep 0.5
check gone-clients-uncounted sh -c "curl -s 'http://127.0.0.1:$per_client_port/metrics' |
  grep -qx 'elig_http_connections_open 1'"
# a client that sends its request and half-closes at once is answered
python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
s.shutdown(socket.SHUT_WR)
print(s.recv(100).split(b"\r\n")[0].decode())' "$per_client_port" > "$tmp/half_closed"
check half-closed-served grep -q '^HTTP/1.1 200 ' "$tmp/half_closed"
stop per_client

finish
