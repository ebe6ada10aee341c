#!/bin/sh
# serve_auth.sh -- who may ask `elig serve` what, and whether it is ready to be asked.
#
#   tokens     --new-token makes a token and its line; --tokens lets in only requests with a
#              token of the file, each to the routes of its scopes (401 without or with an
#              unknown token, 403 without the scope); /healthz and /readyz need none; the
#              file is read again when it changes, and a broken file changes nothing; the
#              log names the token, never shows it
#   exposure   no --tokens on an address other machines reach: refused to start;
#              --no-rules-endpoint turns GET /v1/rules off
#   readiness  /readyz is 503 after a reload failed, until the files are fixed or an
#              operator acknowledges it (admin scope); /healthz stays 200 (liveness)
#
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
suite=serve_auth
. "${srcdir:-.}/tests/cli/setup.sh"
. "$srcdir/tests/cli/serve_setup.sh"
cd "$srcdir" || exit 99 # the rules and the sample are the source tree's

# ---------------------------------------------------------------- tokens

"$ELIG" serve --new-token portal:evaluate > "$tmp/portal"
"$ELIG" serve --new-token ops:rules,admin > "$tmp/ops"
portal=$(sed -n 's/^token: //p' "$tmp/portal")
ops=$(sed -n 's/^token: //p' "$tmp/ops")
check new-token-made sh -c "printf '%s' '$portal' | grep -Eq '^elig_[A-Za-z0-9_-]{43}\$'"
check new-tokens-differ [ "$portal" != "$ops" ]
want=$(printf '%s' "$portal" | sha256sum | cut -d' ' -f1)
check new-token-line-is-its-hash grep -q "^line:  portal evaluate sha256:$want\$" "$tmp/portal"
"$ELIG" serve --new-token 'two words:evaluate' 2>/dev/null
check new-token-bad-name-usage [ $? = 2 ]
"$ELIG" serve --new-token 'x:evaluate,everything' 2>/dev/null
check new-token-bad-scope-usage [ $? = 2 ]

{
  echo '# name  scopes  hash'
  sed -n 's/^line:  //p' "$tmp/portal"
  echo
  sed -n 's/^line:  //p' "$tmp/ops"
} > "$tmp/tokens"
mkdir "$tmp/rules"
cp -R rules/national.rules rules/national "$tmp/rules/"
chmod -R u+w "$tmp/rules"
start auth --tokens "$tmp/tokens" --watch 100 "$tmp/rules/national.rules"
A=http://127.0.0.1:$auth_port
one=$(head -1 data/sample.jsonl)
call() { # call TOKEN METHOD PATH: the status; headers in $tmp/h, body in $tmp/b
  if [ -n "$1" ]; then set -- -H "Authorization: Bearer $1" -X "$2" "$A$3"; else set -- -X "$2" "$A$3"; fi
  printf '%s' "$one" | curl -s -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' -H 'Expect:' \
    --data-binary @- "$@"
}
get() { # get TOKEN PATH
  if [ -n "$1" ]; then set -- -H "Authorization: Bearer $1" "$A$2"; else set -- "$A$2"; fi
  curl -s -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' "$@"
}
check no-token-401 [ "$(call '' POST /v1/evaluate)" = 401 ]
check no-token-says-how grep -qi '^WWW-Authenticate: Bearer' "$tmp/h"
check no-token-json grep -q '"code": "unauthorized"' "$tmp/b"
check unknown-token-401 [ "$(call elig_not-a-token POST /v1/evaluate)" = 401 ]
# (one record: a large body refused unread can be reset under curl's feet before it reads
# the answer, on a loaded machine)
check token-other-scheme-401 sh -c "[ \"\$(head -1 data/sample.jsonl | curl -s -o /dev/null \
  -w '%{http_code}' -H 'Authorization: Basic $portal' -H 'Expect:' --data-binary @- \
  '$A/v1/evaluate')\" = 401 ]"
check evaluate-with-scope-200 [ "$(call "$portal" POST /v1/evaluate)" = 200 ]
check explain-without-scope-403 [ "$(call "$portal" POST /v1/explain)" = 403 ]
check forbidden-json grep -q '"code": "forbidden"' "$tmp/b"
check rules-without-scope-403 [ "$(get "$portal" /v1/rules)" = 403 ]
check rules-with-scope-200 [ "$(get "$ops" /v1/rules)" = 200 ]
check evaluate-other-token-403 [ "$(call "$ops" POST /v1/evaluate)" = 403 ]
check healthz-needs-none [ "$(get '' /healthz)" = 200 ]
check readyz-needs-none [ "$(get '' /readyz)" = 200 ]
check log-names-token grep -q '"token":"portal"' "$tmp/auth.log"
check log-never-shows-token sh -c "! grep -qF -e '$portal' -e '$ops' '$tmp/auth.log'"

# The file changes: a new token is let in, a removed one is not; a broken file is refused and
# the tokens in force stay.
"$ELIG" serve --new-token late:evaluate > "$tmp/late"
late=$(sed -n 's/^token: //p' "$tmp/late")
sed -n 's/^line:  //p' "$tmp/late" "$tmp/ops" > "$tmp/tokens.new"
mv "$tmp/tokens.new" "$tmp/tokens"
wait_status() { # wait_status WANT TOKEN: until an evaluate with TOKEN answers WANT (5 s)
  i=0
  while [ "$(call "$2" POST /v1/evaluate)" != "$1" ] && [ $i -lt 100 ]; do
    sleep 0.05; i=$((i + 1))
  done
  [ "$(call "$2" POST /v1/evaluate)" = "$1" ]
}
check tokens-reloaded-new-let-in wait_status 200 "$late"
check tokens-reloaded-removed-out [ "$(call "$portal" POST /v1/evaluate)" = 401 ]
check tokens-reload-logged grep -q '"event":"tokens","cause":"file changed","outcome":"replaced"' \
  "$tmp/auth.log"
echo 'broken evaluate sha256:xyz' >> "$tmp/tokens"
sleep 0.5
check tokens-broken-logged grep -q '"outcome":"failed; the tokens in force stay".*line 3' \
  "$tmp/auth.log"
check tokens-broken-kept [ "$(call "$late" POST /v1/evaluate)" = 200 ]

# ---------------------------------------------------------------- readiness

params=$tmp/rules/national/parameters.rules
cp "$params" "$tmp/params.orig"
echo 'param broken money by year {' >> "$params"
i=0
while [ "$(get '' /readyz)" = 200 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check readyz-503-after-failed-reload [ "$(get '' /readyz)" = 503 ]
check readyz-says-why grep -q '"status": "not_ready"' "$tmp/b"
check healthz-stays-200 [ "$(get '' /healthz)" = 200 ]
check acknowledge-needs-admin sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H 'Authorization: Bearer $late' '$A/v1/admin/acknowledge')\" = 403 ]"
code=$(curl -s -o "$tmp/ack" -w '%{http_code}' -X POST -H "Authorization: Bearer $ops" \
  "$A/v1/admin/acknowledge")
check acknowledge-200 [ "$code" = 200 ]
check acknowledge-said grep -q '"acknowledged": true' "$tmp/ack"
check readyz-200-once-acknowledged [ "$(get '' /readyz)" = 200 ]
check acknowledge-logged grep -q '"event":"acknowledged","failure":true,"token":"ops"' \
  "$tmp/auth.log"
# another failure needs another acknowledgement; fixing the files is enough
echo '# still broken' >> "$params"
i=0
while [ "$(get '' /readyz)" = 200 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check readyz-503-on-next-failure [ "$(get '' /readyz)" = 503 ]
cp "$tmp/params.orig" "$params"
i=0
while [ "$(get '' /readyz)" != 200 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check readyz-200-once-fixed [ "$(get '' /readyz)" = 200 ]
stop auth

# ---------------------------------------------------------------- exposure

"$ELIG" serve --listen 0.0.0.0:0 rules/national.rules 2>"$tmp/wide.err"
check every-address-without-tokens-refused [ $? = 2 ]
check every-address-says-why grep -q -- '--tokens FILE' "$tmp/wide.err"
"$ELIG" serve --listen :0 rules/national.rules 2>/dev/null
check colon-port-without-tokens-refused [ $? = 2 ]
printf 'x evaluate sha256:00\n' > "$tmp/bad_tokens"
"$ELIG" serve --listen 127.0.0.1:0 --tokens "$tmp/bad_tokens" rules/national.rules \
  2>"$tmp/bad_tokens.err"
check bad-tokens-file-refused [ $? = 2 ]
check bad-tokens-file-line grep -q 'line 1: ' "$tmp/bad_tokens.err"

start closed --no-rules-endpoint rules/national.rules
check no-rules-endpoint-404 [ "$(curl -s -o "$tmp/b" -w '%{http_code}' \
  "http://127.0.0.1:$closed_port/v1/rules")" = 404 ]
check no-rules-endpoint-not-listed sh -c "! grep -q 'GET /v1/rules' '$tmp/b'"
check loopback-warns grep -q '"event":"access","authentication":"none"' "$tmp/closed.log"
stop closed

finish
