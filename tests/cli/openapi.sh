#!/bin/sh
# openapi.sh -- doc/openapi.json checked against the answers of a running `elig serve`.
#
# Starts six servers (tests/cli/serve.sh's pattern: port 0, killed whatever happens):
#   national  the shipped rules, copied here so that a reload can be made to fail, with
#             --max-body 64K so that a body over the limit is cheap to send, and a decision
#             log (--decision-log, --mask-key) so that Elig-Decision-Id is checked
#   failing   tests/cli/serve/failing: rules that fail at run time (422)
#   register  --register with a register since evaluated with other rules (409)
#   secured   --tokens, with a token for each scope alone (401, 403)
#   limits    --max-records 2, --max-output 1K, --max-buffered 8K (413, 503 busy)
#   slow      --eval-timeout 1ms (503 evaluation_timeout)
#   workbench --workbench over a copy of the rules, with --workbench-data, the built page (or
#             a stand-in), --max-body 64K and --workbench-upload-max 64K
#   wbsecured the same with --tokens
# and runs tests/cli/openapi_check.py, which validates the document itself, sends a request
# for every operation and every status it can provoke (and the golden cases of serve.sh),
# and checks each answer against the document, and the document against the answers.
#
# It needs python3 with the module jsonschema (Debian: python3-jsonschema; ./bootstrap
# installs it); without them it is skipped (77).
#
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER.
suite=openapi
. "${srcdir:-.}/tests/cli/setup.sh"

# The first python3 with jsonschema: the one on PATH, else Debian's.
python=""
for p in ${PYTHON:-python3} /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import jsonschema' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIP: python3 with the module jsonschema is not installed (./bootstrap installs" \
    "python3-jsonschema)"
  exit 77
fi

# start NAME ARGS...: tests/cli/serve_setup.sh's, which also stops every server at the end.
. "$srcdir/tests/cli/serve_setup.sh"

top=${abs_top_builddir:-$(pwd)}
cd "$srcdir" || exit 99
mkdir "$tmp/rules"
cp -R rules/national.rules rules/national "$tmp/rules/"
chmod -R u+w "$tmp/rules"
head -c 32 /dev/urandom >"$tmp/mask.key"
chmod 600 "$tmp/mask.key"
start national --threads 2 --watch 0 --max-body 64K --decision-log "$tmp/decisions.jsonl" \
  --mask-key "$tmp/mask.key" "$tmp/rules/national.rules"
start failing --threads 1 tests/cli/serve/failing/failing.rules

# A token for each scope alone: --token SCOPE=TOKEN for the checker, its line in the file.
tokens=""
: >"$tmp/tokens"
for scope in evaluate explain rules admin edit impact impact,explain; do
  "$ELIG" serve --new-token "only-$(echo "$scope" | tr , -):$scope" >"$tmp/new-token" ||
    { echo "FAIL: openapi/new-token: elig serve --new-token only-$scope:$scope"; exit 1; }
  sed -n 's/^line: *//p' "$tmp/new-token" >>"$tmp/tokens"
  tokens="$tokens --token $scope=$(sed -n 's/^token: *//p' "$tmp/new-token")"
done
start secured --threads 1 --watch 0 --tokens "$tmp/tokens" rules/national.rules
start limits --threads 1 --watch 0 --max-records 2 --max-output 1K --max-buffered 8K \
  rules/national.rules
start slow --threads 1 --watch 0 --eval-timeout 1ms rules/national.rules

# The workbench: a folder of rules with a link out, a file not UTF-8 and one over 1 MiB; a
# data folder with the sample, 300,000 households (a job that runs long enough to be busy and
# cancelled), a register that is no CSV and a link out; the built page, or a stand-in.
workbench_folders() { # workbench_folders DIR: the rules folder DIR and its data, DIR-data
  mkdir -p "$1" "$1-data"
  cp -R rules/national.rules rules/national rules/provinces "$1/"
  chmod -R u+w "$1"
  ln -s "$tmp/secret.rules" "$1/outside.rules"
  printf 'let caf\351 = 1\n' >"$1/latin1.rules"
  head -c 1100000 /dev/zero | tr '\0' '#' >"$1/big.rules"
  cp data/sample.csv "$1-data/r.csv"
  ln "$tmp/large.csv" "$1-data/large.csv" 2>/dev/null || cp "$tmp/large.csv" "$1-data/large.csv"
  printf '"hh_id,year\n' >"$1-data/broken.csv"
  ln -s "$tmp/secret.rules" "$1-data/outside.csv"
}
echo 'let secret = 1' >"$tmp/secret.rules"
GENERATE=${GENERATE:-$(dirname "$ELIG")/data/generate}
"$GENERATE" --households 300000 --seed 1 --years 2020 -o "$tmp/large.csv" ||
  { echo "FAIL: openapi/generate: $GENERATE"; exit 1; }
workbench_folders "$tmp/wb"
workbench_folders "$tmp/wbs"
assets=${WB_ASSETS:-$top/workbench/build}
if [ ! -f "$assets/app.js" ]; then # built without npm: a stand-in page
  assets=$tmp/assets
  mkdir "$assets" && echo '<!doctype html><title>t</title>' >"$assets/index.html" &&
    echo 'export {};' >"$assets/app.js"
fi
start workbench --threads 2 --watch 0 --max-body 64K --workbench "$tmp/wb" \
  --workbench-data "$tmp/wb-data" --workbench-assets "$assets" --workbench-upload-max 64K \
  "$tmp/wb/national.rules"
start wbsecured --threads 2 --watch 0 --tokens "$tmp/tokens" --workbench "$tmp/wbs" \
  --workbench-data "$tmp/wbs-data" --workbench-assets "$assets" "$tmp/wbs/national.rules"

# A register last evaluated with the national rules when the service starts, then with
# Yunnan's: the service must refuse to evaluate (409) rather than mix two rule sets.
printf '%s\n' '{"hh_id":"t1","year":2019,"size":4,"net_income":12000,"village_code":"530621101201","food_secure":true,"clothing_secure":true,"water_safe":true,"housing_grade":"A","labor_members":2,"registered_poor":true}' \
  > "$tmp/year-before.jsonl"
register_add() {
  "$ELIG" register add --no-progress --db "$tmp/county.db" "$1" "$tmp/year-before.jsonl" \
    2>>"$tmp/register.err" || { echo "FAIL: openapi/register-add:"; cat "$tmp/register.err"; exit 1; }
}
register_add rules/national.rules
start register --threads 1 --watch 0 --register "$tmp/county.db" rules/national.rules
register_add rules/provinces/yunnan.rules

version=$("$ELIG" --version | sed -n '1s/^elig //p')
"$python" tests/cli/openapi_check.py doc/openapi.json "$version" \
  --server "national=$national_port" --server "failing=$failing_port" \
  --server "register=$register_port" --server "secured=$secured_port" \
  --server "limits=$limits_port" --server "slow=$slow_port" \
  --server "workbench=$workbench_port" --server "wbsecured=$wbsecured_port" $tokens \
  --golden tests/cli/serve/national \
  --break-reload "$national_pid:$tmp/rules/national/parameters.rules"
status=$?

# Each server stops on SIGTERM with status 0 (under the sanitizers: without a leak).
for name in national failing register secured limits slow workbench wbsecured; do
  eval "pid=\$${name}_pid"
  kill -TERM "$pid"
  if ! wait "$pid"; then
    echo "FAIL: openapi/$name-stops: the server did not exit 0 on SIGTERM:"
    tail -20 "$tmp/$name.log"
    status=1
  fi
done
servers=""
exit $status
