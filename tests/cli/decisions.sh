#!/bin/sh
# decisions.sh -- `elig serve --decision-log`: the audit record of every decision.
#
# A line per record evaluated or explained, whole and valid JSON, with the decision id the
# response names (Elig-Decision-Id) and the request id of the main log; rejected records
# logged as rejected; identifiers masked (no identity number, household number or member's
# name in the decision log or on the main log; the same household under the same pseudonym,
# the one `openssl dgst -hmac` computes with the key, and another under another key); files
# rotated by size under concurrent requests with no line lost or split, the oldest removed;
# a log that cannot be written (a file size limit) counted and reported, answered anyway or
# refused with --decision-log-required, with whole lines only in the file; the refusals to
# start: no --mask-key, a key others may read, a short key, a --mask name that is no field.
#
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
suite=decisions
. "${srcdir:-.}/tests/cli/setup.sh"
. "$srcdir/tests/cli/serve_setup.sh"
if ! command -v jq >/dev/null 2>&1; then
  echo "SKIP: jq is not installed (./bootstrap installs it)"; exit 77
fi

# start_limited NAME BLOCKS ARGS...: start, under a file size limit of BLOCKS blocks (ulimit
# -f), which the server's log escapes through a pipe; stop_limited NAME also waits for the
# pipe, so that the log is whole.
start_limited() {
  name=$1 blocks=$2; shift 2
  mkfifo "$tmp/$name.fifo"
  cat "$tmp/$name.fifo" > "$tmp/$name.log" &
  eval "${name}_cat=$!"
  (
    ulimit -f "$blocks"
    exec ${ELIG_WRAPPER:-} "$ELIG" serve --listen 127.0.0.1:0 "$@" 2>"$tmp/$name.fifo"
  ) &
  listening "$name" $!
}
stop_limited() {
  stop "$1"
  eval "wait \$${1}_cat"
}

# post PORT PATH FILE: the body of FILE to PATH; the headers into $tmp/h, the body $tmp/b.
post() {
  curl -s -H 'Expect:' -D "$tmp/h" -o "$tmp/b" --data-binary @"$3" "http://127.0.0.1:$1$2"
}
header() { # header NAME: its value in $tmp/h
  tr -d '\r' < "$tmp/h" | sed -n "s/^$1: //Ip"
}
status() { head -1 "$tmp/h" | cut -d' ' -f2; }

# every_line_json FILE...: each line of the files is one JSON object (none split or glued)
every_line_json() {
  cat "$@" | jq -e -R -n '[inputs | try (fromjson | type == "object") catch false] | all' \
    >/dev/null
}

cd "$srcdir" || exit 99
rules=rules/national.rules
sample=data/sample.jsonl
printf '%s\n' 0123456789abcdef0123456789abcdef > "$tmp/key"
printf '%s\n' fedcba9876543210fedcba9876543210 > "$tmp/key2"
chmod 600 "$tmp/key" "$tmp/key2"
mask=hh_id,head_id,members[].name

# ---------------------------------------------------------------- refusals to start

refuses() { # refuses ID STATUS MESSAGE ARGS...: the service does not start, says so
  id=$1 want=$2 message=$3; shift 3
  "$ELIG" serve --listen 127.0.0.1:0 "$@" "$rules" 2>"$tmp/refused.err"; got=$?
  check "refuses-$id" [ "$got" = "$want" ]
  check "refuses-$id-said" grep -q -e "$message" "$tmp/refused.err"
}
refuses no-key 2 "needs --mask-key FILE" --decision-log "$tmp/x.log"
refuses mask-alone 2 "go with --decision-log FILE" --mask hh_id
cp "$tmp/key" "$tmp/open-key"; chmod 644 "$tmp/open-key"
refuses key-readable 2 "may be read or changed by others (mode 0644)" \
  --decision-log "$tmp/x.log" --mask-key "$tmp/open-key"
printf 'secret\n' > "$tmp/short-key"; chmod 600 "$tmp/short-key"
refuses key-short 2 "has 6 bytes: it needs 16" \
  --decision-log "$tmp/x.log" --mask-key "$tmp/short-key"
refuses key-missing 4 "cannot read the mask key" --decision-log "$tmp/x.log" --mask-key "$tmp/none"
refuses mask-no-field 2 "'hh_idd' is no field of the rules; did you mean 'hh_id'" \
  --decision-log "$tmp/x.log" --mask-key "$tmp/key" --mask hh_idd
refuses mask-no-list 2 "'head_id' is no field of the rules (or, before \[\], no list" \
  --decision-log "$tmp/x.log" --mask-key "$tmp/key" --mask 'head_id[].name'
refuses mask-malformed 2 "'a.b' is no field name" \
  --decision-log "$tmp/x.log" --mask-key "$tmp/key" --mask a.b
refuses log-unopenable 4 "cannot open the decision log" \
  --decision-log "$tmp/no/such/folder/x.log" --mask-key "$tmp/key"
check refused-no-log-made [ ! -e "$tmp/x.log" ]

# ---------------------------------------------------------------- a line per decision

start main --threads 2 --decision-log "$tmp/d.log" --mask-key "$tmp/key" --mask "$mask" "$rules"
M=$main_port
post $M /v1/evaluate "$sample"
batch_id=$(header Elig-Decision-Id)
check batch-id-is-request-id sh -c "printf %s '$batch_id' | grep -qx '[0-9a-f]\{32\}'"
check batch-a-line-per-record [ "$(wc -l < "$tmp/d.log")" = "$(grep -c . "$sample")" ]
check batch-lines-whole every_line_json "$tmp/d.log"
jq -r .decision "$tmp/d.log" > "$tmp/ids"
seq 1 "$(grep -c . "$sample")" | sed "s/^/$batch_id-/" > "$tmp/ids.want"
check batch-ids-in-order cmp -s "$tmp/ids" "$tmp/ids.want"
check batch-rejected-logged [ "$(grep -c '"rejected":{"error_code":"E06' "$tmp/d.log")" = \
  "$(header Elig-Rejected)" ]
check batch-rejected-without-result sh -c "! jq -e 'select(.rejected and .result)' '$tmp/d.log' |
  grep -q ."
jq -c 'select(.error | not) | .status' "$tmp/b" > "$tmp/status.want"
check batch-result-is-the-answer sh -c "jq -c 'select(.result) | .result.status' '$tmp/d.log' |
  cmp -s - '$tmp/status.want'"
check batch-main-log-request-id grep -q "\"request_id\":\"$batch_id\"" "$tmp/main.log"
first=$(head -1 "$tmp/d.log")
hash=$(hash_of $M)
check line-members sh -c "printf '%s' '$first' | jq -e '.time and .rules == \"$hash\"
  and .policy == \"national\" and .version and .endpoint == \"/v1/evaluate\" and .as_of
  and .missing == \"reject\" and .client == \"127.0.0.1\" and (.token == null)
  and has(\"token\")' >/dev/null"
check line-time-iso-ms sh -c "printf '%s' '$first' |
  jq -r .time | grep -qx '20[0-9-]*T[0-9:]*\.[0-9][0-9][0-9]Z'"

# One record: the header is its decision's id, REQUEST-1; explain logs its record too;
# the parameters are the request's.
head -1 "$sample" > "$tmp/one.json"
post $M '/v1/evaluate?as_of=2021-06-30&missing=undetermined' "$tmp/one.json"
one_id=$(header Elig-Decision-Id)
check one-id-is-decision sh -c "printf %s '$one_id' | grep -qx '[0-9a-f]\{32\}-1'"
check one-logged sh -c "tail -1 '$tmp/d.log' | jq -e '.decision == \"$one_id\"
  and .as_of == \"2021-06-30\" and .missing == \"undetermined\"' >/dev/null"
post $M /v1/explain "$tmp/one.json"
explain_id=$(header Elig-Decision-Id)
check explain-logged sh -c "tail -1 '$tmp/d.log' | jq -e '.decision == \"$explain_id\"
  and .endpoint == \"/v1/explain\" and .result.status' >/dev/null"
printf '{"hh_id":"R-1","year":2020,"size":99}\n' > "$tmp/reject.json"
post $M /v1/explain "$tmp/reject.json"
check explain-rejected-logged sh -c "tail -1 '$tmp/d.log' | jq -e '.decision ==
  \"$(header Elig-Decision-Id)\" and .rejected.error_code and (.result | not)' >/dev/null"
printf '{"hh_id":"R-2",' > "$tmp/malformed.json"
post $M /v1/evaluate "$tmp/malformed.json"
check malformed-logged-without-input sh -c "tail -1 '$tmp/d.log' |
  jq -e '.rejected.error_code == \"E0625\" and .input == null' >/dev/null"
check malformed-no-clear-id sh -c "! grep -q R-2 '$tmp/d.log'"
# keys that are no field are not kept (nor their values): counted
printf '{"hh_id":"K-1","year":2020,"name_of_head":"Zhang San"}\n' > "$tmp/extra.json"
post $M /v1/evaluate "$tmp/extra.json"
check ignored-keys-left-out sh -c "tail -1 '$tmp/d.log' | jq -e '.ignored_keys == 1
  and (.input | has(\"name_of_head\") | not)' >/dev/null && ! grep -q 'Zhang San' '$tmp/d.log'"
# with --tokens, the name of the token the request came with, never the token
"$ELIG" serve --new-token portal:evaluate > "$tmp/portal"
sed -n 's/^line:  //p' "$tmp/portal" > "$tmp/tokens"
token=$(sed -n 's/^token: //p' "$tmp/portal")
start tokens --threads 1 --tokens "$tmp/tokens" --decision-log "$tmp/t.log" \
  --mask-key "$tmp/key" --mask "$mask" "$rules"
curl -s -o /dev/null -H 'Expect:' -H "Authorization: Bearer $token" \
  --data-binary @"$tmp/one.json" "http://127.0.0.1:$tokens_port/v1/evaluate"
check token-named sh -c "jq -e '.token == \"portal\"' '$tmp/t.log' >/dev/null"
check token-not-logged sh -c "! grep -q -F '$token' '$tmp/t.log' '$tmp/tokens.log'"
stop tokens
# without a decision log: no decision id
start plain --threads 1 "$rules"
post $plain_port /v1/evaluate "$tmp/one.json"
check no-log-no-header sh -c "! grep -qi '^Elig-Decision-Id' '$tmp/h'"
stop plain

# ---------------------------------------------------------------- masking

# What must not be anywhere: the household numbers, identity numbers and members' names.
grep -o '"hh_id":"[^"]*"' "$sample" | cut -d'"' -f4 | sort -u > "$tmp/clear"
grep -o '"head_id":"[^"]*"' "$sample" | cut -d'"' -f4 | sort -u >> "$tmp/clear"
grep -o '"name":"[^"]*"' "$sample" | cut -d'"' -f4 | sort -u >> "$tmp/clear"
check have-identifiers [ "$(wc -l < "$tmp/clear")" -gt 1000 ]
check no-clear-identifier-in-decision-log sh -c "! grep -q -F -f '$tmp/clear' '$tmp/d.log'"
check no-clear-identifier-on-main-log sh -c "! grep -q -F -f '$tmp/clear' '$tmp/main.log'"
check masked-result-too sh -c "jq -r 'select(.result) | .result.hh_id' '$tmp/d.log' |
  grep -q '^hmac:' && ! jq -r 'select(.result) | .result.hh_id' '$tmp/d.log' | grep -qv '^hmac:'"
# the same household, the same pseudonym: in two requests, and as openssl computes it
hh=$(head -1 "$sample" | jq -r .hh_id)
p1=$(jq -r "select(.decision == \"$batch_id-1\") | .input.hh_id" "$tmp/d.log")
p2=$(jq -r "select(.decision == \"$one_id\") | .input.hh_id" "$tmp/d.log")
check pseudonym-form sh -c "printf %s '$p1' | grep -qx 'hmac:[0-9a-f]\{32\}'"
check pseudonym-same-household [ "$p1" = "$p2" ]
if command -v openssl >/dev/null 2>&1; then
  p3=hmac:$(printf %s "$hh" | openssl dgst -sha256 -hmac "$(cat "$tmp/key")" |
    sed 's/.*= *//' | cut -c1-32)
  check pseudonym-as-documented [ "$p1" = "$p3" ]
fi
p4=$(jq -r "select(.decision == \"$batch_id-2\") | .input.hh_id" "$tmp/d.log")
check pseudonym-other-household [ "$p4" != "$p1" ]
start other --threads 1 --decision-log "$tmp/o.log" --mask-key "$tmp/key2" --mask "$mask" \
  "$rules"
post $other_port /v1/evaluate "$tmp/one.json"
check pseudonym-other-key [ "$(jq -r .input.hh_id "$tmp/o.log")" != "$p1" ]
stop other
# by default the key fields are masked, and the log says which
start keys --threads 1 --decision-log "$tmp/k.log" --mask-key "$tmp/key" "$rules"
post $keys_port /v1/evaluate "$tmp/one.json"
check default-masks-keys sh -c "jq -e '(.input.hh_id | startswith(\"hmac:\")) and
  (.input.head_id | startswith(\"hmac:\") | not)' '$tmp/k.log' >/dev/null"
check default-warned grep -q '"event":"warning".*--mask.*"masked":"hh_id, year"' "$tmp/keys.log"
stop keys

# ---------------------------------------------------------------- rotation

# Four clients at once into files of 4 KiB: every decision in exactly one whole line.
head -200 "$sample" > "$tmp/200.jsonl"
start rot --threads 4 --decision-log "$tmp/r.log" --mask-key "$tmp/key" --mask "$mask" \
  --decision-log-max 4K --decision-log-keep 400 "$rules"
clients=""
for c in 1 2 3 4; do
  curl -s -H 'Expect:' -o /dev/null --data-binary @"$tmp/200.jsonl" \
    "http://127.0.0.1:$rot_port/v1/evaluate" &
  clients="$clients $!"
done
for pid in $clients; do wait "$pid"; done
stop rot
check rotated-many [ -e "$tmp/r.log.50" ]
check rotated-none-lost [ "$(cat "$tmp"/r.log* | wc -l)" = 800 ]
check rotated-none-twice [ "$(cat "$tmp"/r.log* | jq -r .decision | sort -u | wc -l)" = 800 ]
check rotated-lines-whole every_line_json "$tmp"/r.log*
too_big() { # a file past the limit holds one line alone
  for f in "$tmp"/r.log*; do
    [ "$(wc -c < "$f")" -le 4096 ] || [ "$(wc -l < "$f")" = 1 ] || return 1
  done
}
check rotated-within-limit too_big
# --decision-log-keep 2: the oldest files go
start keep --threads 1 --decision-log "$tmp/k2.log" --mask-key "$tmp/key" --mask "$mask" \
  --decision-log-max 2K --decision-log-keep 2 "$rules"
post $keep_port /v1/evaluate "$tmp/200.jsonl"
check kept-two sh -c "[ -s '$tmp/k2.log' ] && [ -s '$tmp/k2.log.1' ] && [ -s '$tmp/k2.log.2' ] &&
  [ ! -e '$tmp/k2.log.3' ]"
stop keep

# ---------------------------------------------------------------- a log that cannot be written

# Under a file size limit of 4 blocks (2 or 4 KiB) the file takes a few lines of 10.
for i in 0 1 2 3 4 5 6 7 8 9; do
  sed "s/\"hh_id\":\"[^\"]*\"/\"hh_id\":\"F-$i\"/" "$tmp/one.json" > "$tmp/f$i.json"
done
start_limited full 4 --threads 1 --decision-log "$tmp/f.log" --mask-key "$tmp/key" \
  --mask "$mask" "$rules"
answered=0
for i in 0 1 2 3 4 5 6 7 8 9; do
  post $full_port /v1/evaluate "$tmp/f$i.json"
  [ "$(status)" = 200 ] && answered=$((answered + 1))
done
stop_limited full
lines=$(wc -l < "$tmp/f.log")
check full-answered-anyway [ $answered = 10 ]
check full-some-lost [ "$lines" -lt 10 ]
check full-lines-whole every_line_json "$tmp/f.log"
check full-ends-with-line sh -c "[ \"\$(tail -c1 '$tmp/f.log' | od -An -c | tr -d ' ')\" = '\\n' ]"
lost=$(jq -s 'map(select(.event == "decision_log_failed") | .lines_unwritten_since_last) | add' \
  "$tmp/full.log")
check full-reported [ "$lost" = $((10 - lines)) ]
check full-report-has-cause grep -q '"error":"write: File too large"' "$tmp/full.log"

start_limited required 4 --threads 1 --decision-log "$tmp/q.log" --mask-key "$tmp/key" \
  --mask "$mask" --decision-log-required "$rules"
answered=0 refused=0
for i in 0 1 2 3 4 5 6 7 8 9; do
  post $required_port /v1/evaluate "$tmp/f$i.json"
  case $(status) in
  200) answered=$((answered + 1)) ;;
  503) grep -q '"code": "decision_log_unavailable"' "$tmp/b" && refused=$((refused + 1)) ;;
  esac
done
stop_limited required
check required-refused-unlogged [ $refused -gt 0 ]
check required-answered-only-logged [ $answered = "$(wc -l < "$tmp/q.log")" ]
check required-total [ $((answered + refused)) = 10 ]

# A line larger than the limit fails, and the next one, into a new file, is written again.
awk 'BEGIN { s = "0"; while (length(s) < 5000) s = s s
  printf "{\"hh_id\":\"B-1\",\"village_code\":\"%s\"}\n", s }' \
  > "$tmp/big.json"
start_limited recover 4 --threads 1 --decision-log "$tmp/v.log" --mask-key "$tmp/key" \
  --mask "$mask" --decision-log-max 1500 "$rules"
post $recover_port /v1/evaluate "$tmp/f0.json"
post $recover_port /v1/evaluate "$tmp/big.json"
post $recover_port /v1/evaluate "$tmp/f1.json"
stop_limited recover
check recover-failed grep -q '"event":"decision_log_failed"' "$tmp/recover.log"
check recover-said grep -q '"event":"decision_log_recovered".*"lines_unwritten":1' \
  "$tmp/recover.log"
check recover-lines-whole every_line_json "$tmp"/v.log*
check recover-two-lines [ "$(cat "$tmp"/v.log* | wc -l)" = 2 ]

stop main
check main-log-no-clear-identifier sh -c "! grep -q -F -f '$tmp/clear' '$tmp/main.log'"
finish
