#!/bin/sh
# workbench.sh -- the workbench's routes (elig serve --workbench, doc/workbench.md) over HTTP,
# without a browser (tests/workbench/run.sh drives the page):
#   paths      nothing outside DIR: '..', absolute, hidden, a link leading out
#   scopes     reading takes rules, saving edit (401 without a token, 403 without the scope)
#   csrf       a POST without X-Elig-CSRF, or from another Origin, is refused
#   host       without --tokens only loopback Host names are answered (DNS rebinding)
#   save       only rules that compile, only over the version read, kept in .elig-history
#   page       the page's headers (CSP); 404 workbench_not_built without its assets
suite=workbench-api; . "${srcdir:-.}/tests/cli/setup.sh"; . "$srcdir/tests/cli/serve_setup.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

cp -R "$srcdir/rules" "$tmp/rules" && chmod -R u+w "$tmp/rules"
echo 'let secret = 1' > "$tmp/secret.rules"
ln -s "$tmp/secret.rules" "$tmp/rules/outside.rules"
mkdir "$tmp/assets" && echo '<!doctype html><title>t</title>' > "$tmp/assets/index.html"
"$ELIG" serve --new-token reader:rules > "$tmp/reader"
"$ELIG" serve --new-token editor:rules,edit > "$tmp/editor"
sed -n 's/^line:  //p' "$tmp/reader" "$tmp/editor" > "$tmp/tokens"
reader=$(sed -n 's/^token: //p' "$tmp/reader")
editor=$(sed -n 's/^token: //p' "$tmp/editor")

# ---------------------------------------------------------------- without tokens (loopback)
start open --workbench "$tmp/rules" --workbench-assets "$tmp/assets" "$tmp/rules/national.rules"
b=http://127.0.0.1:$open_port
status() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }
code() { jq -r .error.code "$tmp/body"; }
file() { status "$b/v1/workbench/file?path=$1"; }

check files-listed sh -c "curl -s '$b/v1/workbench/files' | jq -e '.files | index(\"national/household.rules\")' >/dev/null"
check files-no-link sh -c "! curl -s '$b/v1/workbench/files' | grep -q outside.rules"
check file-read [ "$(file national/schema.rules)" = 200 ]
for p in ../secret.rules /etc/passwd national/../../secret.rules .elig-history/log.jsonl \
  national//household.rules national/./household.rules 'a%5Cb.rules' national.rule; do
  check "bad-path-$p" [ "$(file "$p")" = 400 ] && check "bad-path-code-$p" [ "$(code)" = bad_path ]
done
check link-out-refused [ "$(file outside.rules)" = 403 ]
check link-out-code [ "$(code)" = path_refused ]
check no-such-file [ "$(file national/none.rules)" = 404 ]

csrf=$(curl -s "$b/v1/workbench/session" | jq -r .csrf)
check csrf-64-hex sh -c "printf '%s' '$csrf' | grep -Eq '^[0-9a-f]{64}\$'"
post() { # post ROUTE QUERY FILE [curl options]: the text of FILE to a workbench POST
  route=$1 query=$2 text=$3; shift 3
  status -H "X-Elig-CSRF: $csrf" --data-binary "@$text" "$@" "$b/v1/workbench/$route?$query"
}
cp "$tmp/rules/national/household.rules" "$tmp/good"
sed '5s/$/ + net_incme/' "$tmp/good" > "$tmp/bad"
check check-200 [ "$(post check path=national/household.rules "$tmp/bad")" = 200 ]
check check-placed sh -c "jq -e '.ok == false and .diagnostics[0].line == 5 and .diagnostics[0].column == 38 and .diagnostics[0].code == \"E0201\" and (.diagnostics[0].help | test(\"net_income\"))' '$tmp/body' >/dev/null"
check check-no-csrf [ "$(status --data-binary @"$tmp/bad" "$b/v1/workbench/check?path=national/household.rules")" = 403 ]
check check-no-csrf-code [ "$(code)" = csrf ]
check check-other-origin [ "$(post check path=national/household.rules "$tmp/good" -H 'Origin: http://evil.example')" = 403 ]
check rebinding-refused [ "$(status -H 'Host: evil.example' "$b/v1/workbench/files")" = 403 ]
check localhost-answered [ "$(status -H "Host: localhost:$open_port" "$b/v1/workbench/files")" = 200 ]
printf 'let   x=1\n' > "$tmp/messy"
check fmt [ "$(post fmt path=national/x.rules "$tmp/messy")" = 200 ]
check fmt-text [ "$(jq -r .text "$tmp/body")" = "let x = 1" ]
check tests-run [ "$(post test path=national/household.rules "$tmp/good")" = 200 ]
check tests-pass sh -c "jq -e '.failed == 0 and .passed > 0 and (.not_covered | length) > 0' '$tmp/body' >/dev/null"

# saves: only rules that compile, only over the version read
base=$(curl -s "$b/v1/workbench/file?path=national/household.rules" | jq -r .sha256)
check save-bad-refused [ "$(post save "path=national/household.rules&base=$base" "$tmp/bad")" = 422 ]
check save-bad-code [ "$(code)" = rules_do_not_compile ]
check save-bad-untouched cmp -s "$tmp/good" "$tmp/rules/national/household.rules"
{ cat "$tmp/good"; echo '# saved'; } > "$tmp/new"
check save [ "$(post save "path=national/household.rules&base=$base" "$tmp/new")" = 200 ]
check saved cmp -s "$tmp/new" "$tmp/rules/national/household.rules"
check save-stale [ "$(post save "path=national/household.rules&base=$base" "$tmp/new")" = 409 ]
check history-two [ "$(curl -s "$b/v1/workbench/history?path=national/household.rules" | jq '.versions | length')" = 2 ]
old=$(curl -s "$b/v1/workbench/history?path=national/household.rules" | jq -r '.versions[1].sha256')
check version-back sh -c "curl -s '$b/v1/workbench/version?sha256=$old' | jq -j .text | cmp -s - '$tmp/good'"
# a text that compiles where the link is: refused for the link, not for the text
check save-through-link-refused [ "$(post save "path=outside.rules&base=none" "$tmp/rules/national.rules")" = 403 ]
check secret-untouched [ "$(cat "$tmp/secret.rules")" = 'let secret = 1' ]

# the page
curl -s -D "$tmp/headers" -o /dev/null "$b/workbench/"
check page-csp grep -qi "^content-security-policy: default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'" "$tmp/headers"
check page-redirect [ "$(status "$b/workbench")" = 308 ]
check page-no-dotdot [ "$(status "$b/workbench/..%2f..%2fsecret.rules")" = 404 ]
stop open

start unbuilt --workbench "$tmp/rules" --workbench-assets "$tmp/rules/national" "$tmp/rules/national.rules"
check page-missing [ "$(status "http://127.0.0.1:$unbuilt_port/workbench/")" = 404 ]
stop unbuilt
check not-built-without-assets sh -c "'$ELIG' serve --workbench '$tmp/rules' --workbench-assets '$tmp/none' '$tmp/rules/national.rules' 2>&1 | grep -q 'no such folder'"
check rules-outside-dir sh -c "'$ELIG' serve --workbench '$tmp/rules/national' '$tmp/rules/national.rules' 2>&1 | grep -q 'not a rule file inside'"

# ---------------------------------------------------------------- with tokens
start secured --tokens "$tmp/tokens" --workbench "$tmp/rules" "$tmp/rules/national.rules"
b=http://127.0.0.1:$secured_port
check no-token-401 [ "$(status "$b/v1/workbench/files")" = 401 ]
check reader-reads [ "$(status -H "Authorization: Bearer $reader" "$b/v1/workbench/files")" = 200 ]
csrf=$(curl -s -H "Authorization: Bearer $reader" "$b/v1/workbench/session" | jq -r .csrf)
check reader-may-not-edit sh -c "curl -s -H 'Authorization: Bearer $reader' '$b/v1/workbench/session' | jq -e '.may.edit == false' >/dev/null"
check reader-save-403 [ "$(post save path=national/household.rules "$tmp/good" -H "Authorization: Bearer $reader")" = 403 ]
check reader-save-scope grep -q "no scope 'edit'" "$tmp/body"
check editor-saves [ "$(post save path=national/household.rules "$tmp/good" -H "Authorization: Bearer $editor")" = 200 ]
check any-host-with-tokens [ "$(status -H "Authorization: Bearer $reader" -H 'Host: elig.example' "$b/v1/workbench/files")" = 200 ]
stop secured
finish
