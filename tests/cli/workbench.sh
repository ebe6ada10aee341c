#!/bin/sh
# workbench.sh -- the workbench's routes (elig serve --workbench, doc/workbench.md) over HTTP,
# without a browser (tests/workbench/run.sh drives the page):
#   paths      nothing outside DIR: '..', absolute, hidden, a link leading out
#   scopes     reading takes rules, saving edit (401 without a token, 403 without the scope)
#   csrf       a POST without X-Elig-CSRF, or from another Origin, is refused
#   host       without --tokens only loopback Host names are answered (DNS rebinding)
#   save       only rules that compile, only over the version read, kept in .elig-history
#   page       the page's headers (CSP); 404 workbench_not_built without its assets
#   registers  the data folder (--workbench-data): nothing outside it ('..', links, FIFOs,
#              hidden names), the scope impact (and explain for a household), uploads within
#              --workbench-upload-max
#   impact     the job: its report is `elig diff --by --format json`'s, its list `--list`'s,
#              rejected rows counted, progress while it runs, one at a time, cancel, baselines
#   household  one household of a register explained as `elig explain --id --year` does
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
  national//household.rules national/./household.rules 'a%5Cb.rules' national.rule \
  'caf%E9.rules'; do
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
# a file of DIR that cannot be read as a rule file (over 1 MiB, or not readable) is no part
# of the set, and no reason to fail a check
head -c 1100000 /dev/zero | tr '\0' '#' > "$tmp/rules/big.rules"
check check-beside-big-file [ "$(post check path=national/household.rules "$tmp/good")" = 200 ]
check check-beside-big-file-ok sh -c "jq -e '.ok' '$tmp/body' >/dev/null"
check big-file-413 [ "$(file big.rules)" = 413 ]
rm "$tmp/rules/big.rules"
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

# ---------------------------------------------------------------- registers and impact
GENERATE=${GENERATE:-$(dirname "$ELIG")/data/generate}
[ -x "$GENERATE" ] || { echo "SKIP: $GENERATE not built"; finish; exit $?; }
mkdir "$tmp/data" "$tmp/data/county" "$tmp/outdir"
"$GENERATE" --households 2000 --seed 7 --years 2020 --bad-rows 3 -o "$tmp/data/county/r.csv"
"$GENERATE" --households 300000 --seed 1 --years 2020 -o "$tmp/data/large.csv"
echo 'hh_id,year' > "$tmp/secret.csv"
echo 'hh_id,year' > "$tmp/outdir/x.csv"
cp "$tmp/secret.csv" "$tmp/data/.hidden.csv"
ln -s "$tmp/secret.csv" "$tmp/data/outside.csv"
ln -s "$tmp/outdir" "$tmp/data/linked"
mkfifo "$tmp/data/fifo.csv"
echo 'not a register' > "$tmp/data/notes.txt"
# the change the jobs measure: the 2020 poverty line from 4000 to 4500
sed 's/^  2020: 4000 /  2020: 4500 /' "$tmp/rules/national/parameters.rules" > "$tmp/params"
check params-changed sh -c "! cmp -s '$tmp/params' '$tmp/rules/national/parameters.rules'"
mkdir "$tmp/changed" && cp -R "$tmp/rules/." "$tmp/changed/" && cp "$tmp/params" "$tmp/changed/national/parameters.rules"
"$ELIG" diff --by village --format json --list "$tmp/ref-list.csv" "$tmp/rules/national.rules" \
  "$tmp/changed/national.rules" "$tmp/data/county/r.csv" > "$tmp/ref.json" 2>/dev/null

start data --workbench "$tmp/rules" --workbench-data "$tmp/data" "$tmp/rules/national.rules"
b=http://127.0.0.1:$data_port
csrf=$(curl -s "$b/v1/workbench/session" | jq -r .csrf)
check session-says-data sh -c "curl -s '$b/v1/workbench/session' | jq -e '.may.impact and .registers.data_folder and .registers.upload_max == 33554432' >/dev/null"
curl -s "$b/v1/workbench/data" > "$tmp/data.json"
check data-listed sh -c "jq -e '[.registers[].path] == [\"county/r.csv\", \"large.csv\"]' '$tmp/data.json' >/dev/null"
register() { status "$b/v1/workbench/household?data=$1&id=x"; }
for p in ../secret.csv /etc/passwd county/../../secret.csv .hidden.csv county//r.csv notes.txt \
  'county%5Cr.csv' 'caf%E9.csv'; do
  check "data-bad-path-$p" [ "$(register "$p")" = 400 ] && check "data-bad-path-code-$p" [ "$(code)" = bad_path ]
done
for p in outside.csv linked/x.csv fifo.csv; do
  check "data-refused-$p" [ "$(register "$p")" = 403 ] && check "data-refused-code-$p" [ "$(code)" = path_refused ]
done
check data-none [ "$(register none.csv)" = 404 ] && check data-none-code [ "$(code)" = no_such_register ]
check data-and-upload [ "$(status "$b/v1/workbench/household?data=county/r.csv&upload=x&id=x")" = 400 ]

# the household as elig explain has it, and its record as written
"$ELIG" explain --format json --id 411623101201-060 --year 2020 "$tmp/rules/national.rules" \
  "$tmp/data/county/r.csv" | jq -S . > "$tmp/explained.json"
check household [ "$(status "$b/v1/workbench/household?data=county/r.csv&id=411623101201-060&year=2020")" = 200 ]
check household-as-explain sh -c "jq -S '.explanations[0] | .at |= sub(\"^county/\"; \"$tmp/data/county/\")' '$tmp/body' | cmp -s - '$tmp/explained.json'"
check household-record sh -c "[ \"\$(jq -r .record.text '$tmp/body')\" = \"\$(grep '^411623101201-060,' '$tmp/data/county/r.csv')\" ] && [ \"\$(jq -r .record.header '$tmp/body')\" = \"\$(head -1 '$tmp/data/county/r.csv')\" ]"
check household-none [ "$(status "$b/v1/workbench/household?data=county/r.csv&id=nobody")" = 404 ]
check household-none-code [ "$(code)" = no_such_household ]
check household-bad-year [ "$(status "$b/v1/workbench/household?data=county/r.csv&id=x&year=20x0")" = 400 ]

# impact: the report and the list as elig diff's, rejected rows counted
impact() { # impact QUERY [curl options]: the text of $tmp/params as national/parameters.rules
  query=$1; shift
  status -H "X-Elig-CSRF: $csrf" --data-binary "@$tmp/params" "$@" \
    "$b/v1/workbench/impact?path=national/parameters.rules&$query"
}
wait_job() { # the job's state once it is over (at most 60 s)
  i=0
  while [ $i -lt 600 ]; do
    state=$(curl -s "$b/v1/workbench/impact" | jq -r .job.state)
    [ "$state" != running ] && { echo "$state"; return; }
    sleep 0.1; i=$((i + 1))
  done
  echo timeout
}
check impact-no-csrf [ "$(status --data-binary "@$tmp/params" "$b/v1/workbench/impact?path=national/parameters.rules&data=county/r.csv")" = 403 ]
check impact-no-csrf-code [ "$(code)" = csrf ]
check impact-nothing-yet sh -c "curl -s '$b/v1/workbench/impact' | jq -e '.job.state == \"none\"' >/dev/null"
check report-before [ "$(status "$b/v1/workbench/impact/report")" = 409 ]
check impact-starts [ "$(impact data=county/r.csv)" = 202 ]
job=$(jq -r .job.id "$tmp/body")
check impact-done [ "$(wait_job)" = done ]
curl -s "$b/v1/workbench/impact?job=$job" > "$tmp/job.json"
check impact-rejected-counted sh -c "jq -e '.job.records.read == 2000 and .job.records.rejected == 3 and (.job.rejections | length) == 3 and (.job.rejections | all(startswith(\"county/r.csv:\")))' '$tmp/job.json' >/dev/null"
check impact-bytes-all-read sh -c "jq -e '.job.bytes.read == .job.bytes.total and .job.bytes.total > 0' '$tmp/job.json' >/dev/null"
check report [ "$(status "$b/v1/workbench/impact/report?job=$job")" = 200 ]
check report-is-diffs sh -c "jq -S 'del(.old.rules, .new.rules)' '$tmp/body' > '$tmp/got.json' && jq -S 'del(.old.rules, .new.rules) | .by.groups |= map(.)' '$tmp/ref.json' | sed 's|$tmp/data/||' | cmp -s - '$tmp/got.json'"
check report-changes sh -c "jq -e '.records.changed > 0 and (.by.groups | length) > 0' '$tmp/body' >/dev/null"
check list [ "$(status "$b/v1/workbench/impact/list?job=$job")" = 200 ]
check list-is-diffs sh -c "sed 's|^[0-9]*,|L,|' '$tmp/body' > '$tmp/got.csv'; sed 's|^[0-9]*,|L,|' '$tmp/ref-list.csv' | cmp -s - '$tmp/got.csv'"
check list-rows sh -c "jq -e '.job.outcome.list_rows == $(($(wc -l < "$tmp/ref-list.csv") - 1))' '$tmp/job.json' >/dev/null"
check old-job-404 [ "$(status "$b/v1/workbench/impact?job=0123456789abcdef0123456789abcdef")" = 404 ]
check by-county [ "$(impact 'data=county/r.csv&by=county')" = 202 ] && check by-county-done [ "$(wait_job)" = done ]
check by-county-groups sh -c "curl -s '$b/v1/workbench/impact/report' | jq -e '.by.aggregate == \"county\"' >/dev/null"
check by-unknown [ "$(impact 'data=county/r.csv&by=villag')" = 400 ]
check by-unknown-suggests sh -c "jq -e '.error.code == \"bad_by\" and (.error.message | test(\"village\"))' '$tmp/body' >/dev/null"
{ cat "$tmp/params"; echo 'param broken money by year {'; } > "$tmp/broken-params"
check impact-broken [ "$(status -H "X-Elig-CSRF: $csrf" --data-binary "@$tmp/broken-params" "$b/v1/workbench/impact?path=national/parameters.rules&data=county/r.csv")" = 422 ]
check impact-broken-placed sh -c "jq -e '.error.code == \"rules_do_not_compile\" and .error.diagnostics[0].file == \"national/parameters.rules\"' '$tmp/body' >/dev/null"
# baselines: another rule file of DIR; a saved version (and a hash that is none)
check baseline-file [ "$(impact 'data=county/r.csv&baseline=file&against=provinces/yunnan.rules')" = 202 ] &&
  check baseline-file-done [ "$(wait_job)" = done ]
check baseline-file-named sh -c "curl -s '$b/v1/workbench/impact/report' | jq -e '.old.rules == \"provinces/yunnan.rules\" and .old.policy == \"yunnan\"' >/dev/null"
printf 'let broken =\n' > "$tmp/rules/broken.rules"
check baseline-broken [ "$(impact 'data=county/r.csv&baseline=file&against=broken.rules')" = 422 ]
check baseline-broken-code [ "$(code)" = baseline_does_not_compile ]
rm "$tmp/rules/broken.rules"
base=$(curl -s "$b/v1/workbench/file?path=national/parameters.rules" | jq -r .sha256)
post save "path=national/parameters.rules&base=$base" "$tmp/params" >/dev/null
version=$(curl -s "$b/v1/workbench/history?path=national/parameters.rules" | jq -r '.versions[1].sha256')
check baseline-version [ "$(impact "data=county/r.csv&baseline=version&sha256=$version")" = 202 ] &&
  check baseline-version-done [ "$(wait_job)" = done ]
check baseline-version-same-as-saved sh -c "curl -s '$b/v1/workbench/impact/report' | jq -S 'del(.old.rules, .new.rules)' | cmp -s - '$tmp/got.json'"
check baseline-saved-now-same [ "$(impact data=county/r.csv)" = 202 ] && check baseline-saved-done [ "$(wait_job)" = done ]
check baseline-saved-no-change sh -c "curl -s '$b/v1/workbench/impact/report' | jq -e '.no_change' >/dev/null"
check baseline-version-unknown [ "$(impact "data=county/r.csv&baseline=version&sha256=$(printf '%064d' 0)")" = 404 ]
check baseline-version-bad [ "$(impact "data=county/r.csv&baseline=version&sha256=xyz")" = 400 ]
cp "$tmp/good" "$tmp/rules/national/household.rules"

# progress while it runs, one job at a time, cancel
sed 's/^  2020: 4500 /  2020: 4000 /' "$tmp/params" > "$tmp/params-back" && mv "$tmp/params-back" "$tmp/params"
check large-starts [ "$(impact data=large.csv)" = 202 ]
large=$(jq -r .job.id "$tmp/body")
seen=""
for i in $(seq 1 200); do
  curl -s "$b/v1/workbench/impact?job=$large" > "$tmp/progress.json"
  if jq -e '.job.state == "running" and .job.bytes.read > 0 and .job.bytes.total == '"$(wc -c < "$tmp/data/large.csv")" "$tmp/progress.json" >/dev/null; then
    seen=yes; break
  fi
  sleep 0.02
done
check progress-seen [ "$seen" = yes ]
check progress-phase sh -c "jq -e '.job.phase | IN(\"reading\", \"comparing\", \"report\")' '$tmp/progress.json' >/dev/null"
check one-at-a-time [ "$(impact data=county/r.csv)" = 409 ]
check one-at-a-time-code [ "$(code)" = job_running ]
check cancel-no-csrf [ "$(status -X POST "$b/v1/workbench/impact/cancel?job=$large")" = 403 ]
check cancel [ "$(status -H "X-Elig-CSRF: $csrf" -X POST "$b/v1/workbench/impact/cancel?job=$large")" = 202 ]
check cancelled [ "$(wait_job)" = cancelled ]
check cancelled-no-report [ "$(status "$b/v1/workbench/impact/report?job=$large")" = 409 ]
check cancel-again [ "$(status -H "X-Elig-CSRF: $csrf" -X POST "$b/v1/workbench/impact/cancel")" = 409 ]
# the service stops, a job running or not
impact data=large.csv >/dev/null
stop data

# uploads: within --workbench-upload-max (413 beyond), kept under an id, read as a register
start small --workbench "$tmp/rules" --workbench-upload-max 256K "$tmp/rules/national.rules"
b=http://127.0.0.1:$small_port
csrf=$(curl -s "$b/v1/workbench/session" | jq -r .csrf)
upload() { # upload NAME FILE [curl options]
  name=$1 file=$2; shift 2
  status -H "X-Elig-CSRF: $csrf" --data-binary "@$file" "$@" "$b/v1/workbench/upload?name=$name"
}
head -c 270000 "$tmp/data/large.csv" > "$tmp/too-large.csv"
# (announced by its length, the body is refused unread: the client waits for the answer
# before sending it, else 270 KB sent into a closed connection may reset it before curl
# reads the 413)
check upload-too-large [ "$(upload big.csv "$tmp/too-large.csv" -H 'Expect: 100-continue')" = 413 ]
check upload-too-large-code [ "$(code)" = body_too_large ]
check upload-too-large-chunked [ "$(upload big.csv "$tmp/too-large.csv" -H 'Transfer-Encoding: chunked')" = 413 ]
check upload-no-csrf [ "$(status --data-binary "@$tmp/data/county/r.csv" "$b/v1/workbench/upload?name=r.csv")" = 403 ]
check upload-bad-name [ "$(upload ../r.csv "$tmp/data/county/r.csv")" = 400 ]
check upload [ "$(upload r.csv "$tmp/data/county/r.csv")" = 200 ]
upload_id=$(jq -r .upload.id "$tmp/body")
check upload-no-data-folder [ "$(impact data=county/r.csv)" = 404 ] && check upload-no-data-folder-code [ "$(code)" = no_data_folder ]
check upload-impact [ "$(impact "upload=$upload_id")" = 202 ] && check upload-impact-done [ "$(wait_job)" = done ]
check upload-rejected-named sh -c "curl -s '$b/v1/workbench/impact' | jq -e '.job.records.rejected == 3 and (.job.rejections[0] | startswith(\"upload:r.csv:\"))' >/dev/null"
check upload-unknown [ "$(impact upload=0123)" = 404 ] && check upload-unknown-code [ "$(code)" = no_such_upload ]
check upload-household [ "$(status "$b/v1/workbench/household?upload=$upload_id&id=411623101201-060&year=2020")" = 200 ]
stop small
start no_uploads --workbench "$tmp/rules" --workbench-upload-max 0 "$tmp/rules/national.rules"
check uploads-off [ "$(status -X POST --data-binary x "http://127.0.0.1:$no_uploads_port/v1/workbench/upload?name=r.csv")" = 404 ]
stop no_uploads
check data-without-workbench sh -c "'$ELIG' serve --workbench-data '$tmp/data' '$tmp/rules/national.rules' 2>&1 | grep -q 'need --workbench'"
check data-folder-missing sh -c "'$ELIG' serve --workbench '$tmp/rules' --workbench-data '$tmp/none' '$tmp/rules/national.rules' 2>&1 | grep -q 'workbench-data'"

# scopes: registers need impact; a household explain as well
"$ELIG" serve --new-token looker:rules,impact > "$tmp/looker"
"$ELIG" serve --new-token caseworker:rules,impact,explain > "$tmp/caseworker"
sed -n 's/^line:  //p' "$tmp/looker" "$tmp/caseworker" >> "$tmp/tokens"
looker=$(sed -n 's/^token: //p' "$tmp/looker")
caseworker=$(sed -n 's/^token: //p' "$tmp/caseworker")
start scoped --tokens "$tmp/tokens" --workbench "$tmp/rules" --workbench-data "$tmp/data" "$tmp/rules/national.rules"
b=http://127.0.0.1:$scoped_port
check scope-no-token [ "$(status "$b/v1/workbench/data")" = 401 ]
check scope-rules-only [ "$(status -H "Authorization: Bearer $reader" "$b/v1/workbench/data")" = 403 ]
check scope-rules-only-impact [ "$(status -H "Authorization: Bearer $reader" "$b/v1/workbench/impact")" = 403 ]
check scope-impact [ "$(status -H "Authorization: Bearer $looker" "$b/v1/workbench/data")" = 200 ]
check scope-impact-no-explain [ "$(status -H "Authorization: Bearer $looker" "$b/v1/workbench/household?data=county/r.csv&id=411623101201-060")" = 403 ]
check scope-impact-no-explain-says grep -q "no scope 'explain'" "$tmp/body"
check scope-impact-explain [ "$(status -H "Authorization: Bearer $caseworker" "$b/v1/workbench/household?data=county/r.csv&id=411623101201-060")" = 200 ]
check scope-session-says sh -c "curl -s -H 'Authorization: Bearer $reader' '$b/v1/workbench/session' | jq -e '.may.impact == false' >/dev/null"
stop scoped
finish
