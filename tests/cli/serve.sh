#!/bin/sh
# serve.sh -- end-to-end tests of `elig serve` through a real HTTP client (curl).
#
# Part 1, golden cases: each tests/cli/serve/RULESET/NAME.http is a request
#   METHOD PATH[?QUERY]
#   Header: value            (any number)
#                            (a blank line)
#   body                     (to the end of the file)
# sent to a server running tests/cli/serve/RULESET/RULESET.rules (national: the shipped
# rules/national.rules; divide and failing: rules that fail at run time).  NAME.out is what
# must come back: the status line, the headers Content-Type, Allow and Elig-*, a blank line,
# the body; the rule-set hash reads $HASH and times $TIME.  UPDATE=1 rewrites the .out files
# for review in `git diff`; ONLY=PATTERN (a shell pattern on NAME) limits the run.
#
# Part 2, scripted: a batch equals `elig run --format jsonl`, and each of its errors carries
# the library's code, agreeing with the service's; many clients at once; a body over the
# limit and one that never ends; a thousand idle connections while others are answered;
# reloads with good and broken rules, on SIGHUP and on a file change, while requests run
# (none may fail); the log (one JSON line per request, no record contents); start-up
# failures; stopping on SIGTERM.
#
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER, SLOWCLIENT.  The servers'
# helpers (start, stop, hash_of) are tests/cli/serve_setup.sh's.
suite=serve
. "${srcdir:-.}/tests/cli/setup.sh"
. "$srcdir/tests/cli/serve_setup.sh"
pass() { passes=$((passes + 1)); }

# ---------------------------------------------------------------- part 1: golden cases

# run_case DIR NAME PORT HASH
run_case() {
  dir=$1; name=$2; port=$3; hash=$4; f=$dir/$name.http
  read -r method path < "$f"
  awk 'NR > 1 && /^$/ { exit } NR > 1 { print }' "$f" > "$tmp/req.headers"
  awk 'body { print } NR > 1 && /^$/ && !body { body = 1 }' "$f" > "$tmp/req.body"
  set -- -s -S -H 'Expect:' -D "$tmp/res.headers" -o "$tmp/res.body"
  while IFS= read -r h; do set -- "$@" -H "$h"; done < "$tmp/req.headers"
  case $method in
  HEAD) set -- "$@" -I ;;
  POST) set -- "$@" --data-binary "@$tmp/req.body" ;;
  *) set -- "$@" -X "$method" ;;
  esac
  : > "$tmp/res.body"
  curl "$@" "http://127.0.0.1:$port$path" 2>"$tmp/curl.err"
  [ "$method" = HEAD ] && : > "$tmp/res.body" # curl -I writes the head there too
  {
    head -1 "$tmp/res.headers" | tr -d '\r'
    grep -i -E '^(content-type|allow|elig-[a-z-]+):' "$tmp/res.headers" | tr -d '\r' | sort
    echo
    cat "$tmp/res.body"
  } | sed -e "s|$hash|\$HASH|g" -e 's|"20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z"|"$TIME"|g' \
    > "$tmp/res.out"
  if [ "${UPDATE:-}" = 1 ]; then cp "$tmp/res.out" "$dir/$name.out"; return 0; fi
  if ! cmp -s "$tmp/res.out" "$dir/$name.out" 2>/dev/null; then
    echo "FAIL: serve/$dir/$name: the response differs from $name.out:"
    diff -u "$dir/$name.out" "$tmp/res.out" 2>&1 | head -40
    cat "$tmp/curl.err"
    return 1
  fi
}

run_cases() { # run_cases DIR PORT
  hash=$(hash_of "$2")
  for name in $(ls "$1"/*.http | sed 's|.*/||; s/\.http$//' | sort); do
    case $name in ${ONLY:-*}) ;; *) continue;; esac
    if run_case "$1" "$name" "$2" "$hash"; then pass; else fails=$((fails + 1)); fi
  done
}

cd "$srcdir" || exit 99
cases=tests/cli/serve
start national --threads 2 --max-per-client 256 rules/national.rules
start divide --threads 1 "$cases/divide/divide.rules"
start failing --threads 1 "$cases/failing/failing.rules"
run_cases "$cases/national" "$national_port"
run_cases "$cases/divide" "$divide_port"
run_cases "$cases/failing" "$failing_port"
[ "${UPDATE:-}" = 1 ] && { echo "serve: expected files rewritten"; exit 0; }
[ -n "${ONLY:-}" ] && { echo "serve: $passes passed, $fails failed"; [ $fails = 0 ]; exit; }
N=http://127.0.0.1:$national_port

# ---------------------------------------------------------------- part 2: scripted

# A batch answers, line for line, what `elig run --format jsonl` writes (the aggregates
# aside), with an error line for each record run rejects.  Each record of a batch is evaluated
# alone (no register: no year before), so the register has one year per household.
grep -v -e '"year":2019,' -e '"year":2020,' data/sample.jsonl > "$tmp/one-year.jsonl"
curl -s -H 'Expect:' --data-binary @"$tmp/one-year.jsonl" "$N/v1/evaluate" > "$tmp/batch" 2>&1
(cd "$tmp" && "$ELIG" run --format jsonl "$OLDPWD/rules/national.rules" one-year.jsonl) \
  2>"$tmp/run.err" | grep -v '^{"aggregate"' > "$tmp/run.out"
grep -v '^{"line":' "$tmp/batch" > "$tmp/batch.results"
check batch-equals-run cmp -s "$tmp/batch.results" "$tmp/run.out"
sed -n 's/^one-year.jsonl:\([0-9]*\): rejected.*/\1/p' "$tmp/run.err" > "$tmp/run.rejected"
sed -n 's/^{"line":\([0-9]*\),"error".*/\1/p' "$tmp/batch" > "$tmp/batch.rejected"
check batch-rejects-something [ -s "$tmp/run.rejected" ]
check batch-rejects-what-run-rejects cmp -s "$tmp/batch.rejected" "$tmp/run.rejected"
check batch-loses-nothing [ "$(wc -l < "$tmp/batch")" = "$(grep -c . "$tmp/one-year.jsonl")" ]
curl -s -H 'Expect:' --data-binary @"$tmp/one-year.jsonl" "$N/v1/evaluate?aggregates=true" |
  grep '^{"aggregate"' > "$tmp/batch.aggs"
"$ELIG" run --format jsonl rules/national.rules "$tmp/one-year.jsonl" 2>/dev/null |
  grep '^{"aggregate"' > "$tmp/run.aggs"
check batch-aggregates-equal-run cmp -s "$tmp/batch.aggs" "$tmp/run.aggs"

# Clients map codes, not messages: every error line of a batch has the library's code
# ("error_code": E06xx for a record that breaks its schema, E0625 for malformed JSON, E07xx
# for a rule that fails) and the service's code that goes with it; the service's own errors
# have none.
codes_agree() { # codes_agree FILE: it has error lines, each with a fitting pair of codes
  grep '"error":' "$1" |
    sed 's/.*"error":{"code":"\([a-z_]*\)","error_code":"\(E[0-9]*\)".*/\1 \2/' \
    > "$tmp/codes"
  [ -s "$tmp/codes" ] || return 1
  while read -r code lib; do
    case "$code $lib" in
    "rejected E0625") ;;
    "malformed_json E0625" | "rejected E06"[0-9][0-9] | "rule_failed E07"[0-9][0-9]) continue ;;
    esac
    echo "serve: codes that do not go together: $code $lib"; return 1
  done < "$tmp/codes"
}
check batch-error-codes codes_agree "$tmp/batch"
check batch-error-code-range grep -q '"code":"rejected","error_code":"E06[0-9][0-9]"' "$tmp/batch"
printf '{"hh_id":"x1"}\n\n{"hh_id" 1}\n' |
  curl -s -H 'Expect:' --data-binary @- "$N/v1/evaluate" > "$tmp/lines.errors"
check lines-error-codes codes_agree "$tmp/lines.errors"
check lines-error-code-required grep -q \
  '^{"line":1,"error":{"code":"rejected","error_code":"E0601",' "$tmp/lines.errors"
check lines-error-code-malformed grep -q \
  '^{"line":3,"error":{"code":"malformed_json","error_code":"E0625","message":"malformed JSON: [^"]*","line":3,"column":10}}$' \
  "$tmp/lines.errors"
printf '{"id":"c1","income":1,"size":0,"group":"x"}\n{"id":"c2","income":1,"size":1,"group":"x"}\n' |
  curl -s -H 'Expect:' --data-binary @- "http://127.0.0.1:$divide_port/v1/evaluate" \
  > "$tmp/divide.errors"
check rule-failed-error-codes codes_agree "$tmp/divide.errors"
check rule-failed-error-code-e0702 grep -q '"code":"rule_failed","error_code":"E0702"' \
  "$tmp/divide.errors"
# Messages in the client's language (Accept-Language), when the system has its locale;
# codes the same in every language, and English without the header or for one not offered
printf '{"hh_id":"x1"}\n' > "$tmp/required.jsonl"
curl -s -H 'Expect:' -H 'Accept-Language: zh-CN,zh;q=0.9,en;q=0.8' \
  --data-binary @"$tmp/required.jsonl" "$N/v1/evaluate" > "$tmp/zh.errors"
curl -s -H 'Expect:' -H 'Accept-Language: fr, zh-TW;q=0.9' \
  --data-binary @"$tmp/required.jsonl" "$N/v1/evaluate" > "$tmp/fr.errors"
curl -s -H 'Expect:' --data-binary @"$tmp/required.jsonl" "$N/v1/evaluate" > "$tmp/en.errors"
check language-english-by-default grep -q '"message": *"field .* is required"' "$tmp/en.errors"
check language-not-offered-is-english cmp -s "$tmp/fr.errors" "$tmp/en.errors"
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  check language-chinese grep -q '"message": *"字段 .* 为必填项' "$tmp/zh.errors"
  check language-same-code grep -q '"error_code": *"E0601"' "$tmp/zh.errors"
else
  echo "serve: no zh_CN locale on this system: answers in Chinese not tried"
  check language-without-locale-is-english cmp -s "$tmp/zh.errors" "$tmp/en.errors"
fi
curl -s -H 'Expect:' --data-binary ' ' "$N/v1/evaluate" > "$tmp/own.error"
check own-error-no-error-code sh -c "grep -q '\"code\": \"no_records\"' '$tmp/own.error' &&
  ! grep -q error_code '$tmp/own.error'"

# A refusal (404 here) is answered when the request is in, and the connection stays open
# for the next one.
curl -sv -d '{"a":1}' "$N/v1/nothing" "$N/v1/evaluate" 2>"$tmp/keepalive" >/dev/null
check refusal-keeps-connection grep -q 'Re-using existing connection' "$tmp/keepalive"

# Many clients at once: 400 single-record requests, 32 at a time from one curl and 4 curls
# side by side; every answer must be the line `elig run` gives that record.
mkdir "$tmp/many"
head -400 data/sample.jsonl | split -l 1 -a 3 - "$tmp/many/r"
k=0
for f in "$tmp"/many/r*; do # four config files; `next` separates their transfers
  cfg=$tmp/many.cfg.$((k % 4))
  [ -f "$cfg" ] && echo next >> "$cfg"
  printf 'url = "%s/v1/evaluate"\ndata-binary = "@%s"\noutput = "%s.out"\nsilent\n' \
    "$N" "$f" "$f" >> "$cfg"
  k=$((k + 1))
done
jobs=""
for part in "$tmp"/many.cfg.*; do
  curl -s --no-progress-meter -H 'Expect:' -Z --parallel-max 32 -K "$part" &
  jobs="$jobs $!"
done
wait $jobs # (a bare `wait` would wait for the servers too)
head -400 data/sample.jsonl | "$ELIG" run --format jsonl --input-format jsonl \
  rules/national.rules - 2>/dev/null | grep -v '^{"aggregate"' > "$tmp/many.want"
for f in "$tmp"/many/r*.out; do grep -h '^{"hh_id"' "$f"; done > "$tmp/many.got"
check many-clients-agree-with-run cmp -s "$tmp/many.got" "$tmp/many.want"
check many-clients-all-answered [ "$(ls "$tmp"/many/r*.out | wc -l)" = 400 ]


# A thousand idle connections trickling a request head, from another address, must not stop
# the service answering others: with the default per-address limit (64) the rest are refused
# at once; with limits raised, all thousand are held and others are still answered.
one=$(head -1 data/sample.jsonl)
answered_meanwhile() { # answered_meanwhile PORT: 10 requests, each within 2 s
  n=0
  for i in 1 2 3 4 5 6 7 8 9 10; do
    code=$(printf '%s' "$one" | curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
      --data-binary @- "http://127.0.0.1:$1/v1/evaluate")
    [ "$code" = 200 ] && n=$((n + 1))
    sleep 0.2
  done
  [ $n = 10 ]
}
start limits rules/national.rules
"$SLOWCLIENT" 127.0.0.1 "$limits_port" 1000 5 headers 127.0.0.2 > "$tmp/slow1" &
slow=$!
sleep 1
check slowloris-default-limits answered_meanwhile "$limits_port"
wait $slow
check slowloris-default-refuses-beyond-64 grep -q '^open 64 closed 936' "$tmp/slow1"
stop limits
start wide --threads 2 --max-connections 2000 --max-per-client 1500 rules/national.rules
"$SLOWCLIENT" 127.0.0.1 "$wide_port" 1000 5 headers 127.0.0.2 > "$tmp/slow2" &
slow=$!
sleep 1
check slowloris-thousand-held answered_meanwhile "$wide_port"
wait $slow
check slowloris-thousand-all-open grep -q '^open 1000 closed 0' "$tmp/slow2"
stop wide
# A body over --max-body streamed without a length is read, dropped and answered 413; one
# announced by Content-Length is refused unread.  A body that trickles past
# --request-timeout is cut off and logged as 408.
start slow --max-body 64K --request-timeout 1 --timeout 5 rules/national.rules
S=http://127.0.0.1:$slow_port
head -c 70000 /dev/zero | tr '\0' ' ' > "$tmp/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -H 'Expect:' \
  --data-binary @"$tmp/big" "$S/v1/evaluate")
check body-too-large-chunked [ "$code" = 413 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' --data-binary @"$tmp/big" \
  "$S/v1/evaluate")
check body-too-large-announced [ "$code" = 413 ]
"$SLOWCLIENT" 127.0.0.1 "$slow_port" 5 3 body > "$tmp/slow3"
check slow-body-cut-off grep -q '^open 0 closed 5' "$tmp/slow3"
check slow-body-logged-408 [ "$(grep -c '"status":408' "$tmp/slow.log")" = 5 ]
stop slow

# Reloading while requests run.  The server watches a copy of the rules; four clients
# evaluate in a loop the whole time, and every request must be answered 200 by one of the
# rule sets in force.
mkdir "$tmp/rules"
cp -R rules/national.rules rules/national "$tmp/rules/"
chmod -R u+w "$tmp/rules"
params=$tmp/rules/national/parameters.rules
cp "$params" "$tmp/params.orig"
start reload --threads 2 --watch 100 "$tmp/rules/national.rules"
R=http://127.0.0.1:$reload_port
h0=$(hash_of "$reload_port")
client() { # client N: evaluates until told to stop; one status and hash per request
  while [ ! -f "$tmp/stop-clients" ]; do
    head -120 data/sample.jsonl | curl -s -H 'Expect:' -o /dev/null \
      -w '%{http_code} %header{elig-rules-hash}\n' --data-binary @- "$R/v1/evaluate"
  done > "$tmp/client$1"
}
clients=""
for c in 1 2 3 4; do client $c & clients="$clients $!"; done
wait_hash() { # wait_hash WANT: until the server answers with that hash (10 s at most)
  i=0
  while [ "$(hash_of "$reload_port")" != "$1" ] && [ $i -lt 200 ]; do
    sleep 0.05; i=$((i + 1))
  done
  [ "$(hash_of "$reload_port")" = "$1" ]
}
sleep 0.5
# 1. a good change and SIGHUP: the new set is in force
sed 's/2020: 4000 /2020: 4100 /' "$tmp/params.orig" > "$tmp/p1"
cp "$tmp/p1" "$params"
kill -HUP "$reload_pid"
i=0
while [ "$(hash_of "$reload_port")" = "$h0" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
h1=$(hash_of "$reload_port")
check reload-sighup-swaps [ "$h1" != "$h0" ]
check reload-sighup-logged grep -q '"cause":"SIGHUP","outcome":"replaced"' "$tmp/reload.log"
sleep 0.5
# 2. broken rules: the set in force stays, /v1/rules and the log say why
echo 'param broken money by year {' >> "$params"
kill -HUP "$reload_pid"
sleep 0.5
check reload-broken-keeps-rules [ "$(hash_of "$reload_port")" = "$h1" ]
curl -s "$R/v1/rules" > "$tmp/rules.json"
check reload-broken-shown grep -q '"status": "failed"' "$tmp/rules.json"
check reload-broken-located grep -q 'parameters.rules' "$tmp/rules.json"
check reload-broken-logged grep -q '"outcome":"failed; the rules in force stay"' "$tmp/reload.log"
# 3. fixed by saving the file, no signal: the watch picks it up
cp "$tmp/params.orig" "$params"
check reload-on-file-change wait_hash "$h0"
check reload-failure-cleared sh -c "curl -s '$R/v1/rules' | grep -q '\"status\": \"ok\"'"
sleep 0.5
touch "$tmp/stop-clients"
wait $clients
cat "$tmp"/client? > "$tmp/clients"
check reload-clients-made-requests [ "$(wc -l < "$tmp/clients")" -gt 20 ]
check reload-no-request-failed sh -c "! grep -v '^200 ' '$tmp/clients'"
check reload-every-answer-named-its-rules sh -c \
  "! grep -v -e ' $h0\$' -e ' $h1\$' '$tmp/clients'"
stop reload

# The log: one JSON object a line, a line per request, and nothing of the records in it.
check log-lines-are-json sh -c "command -v jq >/dev/null || exit 0; jq -e . '$tmp/national.log' >/dev/null"
requests=$(grep -c '"event":"request"' "$tmp/national.log")
check log-a-line-per-request [ "$requests" -gt 400 ]
cut -d, -f2 data/sample.csv | sed -n '2,$p' | grep -E '^[0-9]{17}' | sort -u > "$tmp/ids"
check log-no-identity-numbers sh -c "! grep -F -f '$tmp/ids' '$tmp'/*.log"
check log-no-names sh -c "! grep -F '曾军浩' '$tmp'/*.log"

# Start-up: rules that do not compile (1, with the diagnostics), a bad address (2), an
# address in use (4).
printf 'record r key id {\n  id txt required\n}\n' > "$tmp/bad.rules"
"$ELIG" serve --listen 127.0.0.1:0 "$tmp/bad.rules" 2>"$tmp/bad.err"; status=$?
check start-bad-rules-exit-1 [ $status = 1 ]
check start-bad-rules-diagnostics grep -q "bad.rules:2:6: error" "$tmp/bad.err"
"$ELIG" serve --listen 127.0.0.1:99999 rules/national.rules 2>/dev/null; status=$?
check start-bad-port-exit-2 [ $status = 2 ]
"$ELIG" serve --listen "127.0.0.1:$national_port" rules/national.rules 2>"$tmp/inuse.err"
status=$?
check start-address-in-use-exit-4 [ $status = 4 ]
check start-address-in-use-said grep -q "cannot listen on '127.0.0.1:$national_port'" \
  "$tmp/inuse.err"

stop national
stop divide
stop failing
finish
