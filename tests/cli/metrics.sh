#!/bin/sh
# metrics.sh -- `elig serve`'s GET /metrics, end to end through curl.
#
# Every scrape must parse as the Prometheus text format 0.0.4 (the checker `exposition_ok`
# below, itself tested on broken samples first).  Then the counters must move by exactly what
# was sent: records evaluated and rejected, requests by endpoint, method and status (an
# unknown path counts as "other" and never shows), the latency histogram; reloads by
# outcome, with the failed one setting elig_rules_last_reload_failed; connections open while
# a slow client holds some; label values escaped (a policy name with quotes); the process's
# metrics; with --tokens, a token of scope admin needed; --no-metrics answering 404.
#
# Environment (as make check sets it): ELIG, srcdir, ELIG_WRAPPER, SLOWCLIENT.
suite=metrics
. "${srcdir:-.}/tests/cli/setup.sh"
. "${srcdir:-.}/tests/cli/serve_setup.sh"

# ---------------------------------------------------------------- the format

# exposition_ok FILE: FILE parses as the text format 0.0.4, as this service writes it: every
# family has its # HELP and # TYPE before its samples, and its samples together; metric and
# label names are [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]*; label values are
# quoted with only \\, \" and \n escaped; values are numbers; no series twice; a
# histogram's buckets go up in `le` and in count, end with +Inf, and +Inf equals _count.
exposition_ok() {
  awk '
    function fail(why) { print FILENAME ":" FNR ": " why ": " $0; bad = 1; exit 1 }
    function is_number(v) {
      return v ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ || v ~ /^([-+]Inf|NaN)$/
    }
    # The labels of `rest` (after the metric name), into labels[] and nlabels; sets `after`
    # to what follows the closing brace.
    function parse_labels(rest,    i, c, lname, value) {
      nlabels = 0; after = rest
      if (substr(rest, 1, 1) != "{") return
      i = 2
      for (;;) {
        if (substr(rest, i, 1) == "}") break
        if (!match(substr(rest, i), /^[a-zA-Z_][a-zA-Z0-9_]*/)) fail("bad label name")
        lname = substr(rest, i, RLENGTH); i += RLENGTH
        if (substr(rest, i, 2) != "=\"") fail("no =\" after a label name")
        i += 2; value = ""
        for (;;) {
          c = substr(rest, i, 1)
          if (c == "") fail("label value not closed")
          if (c == "\"") break
          if (c == "\\") {
            c = substr(rest, i + 1, 1)
            if (c != "\\" && c != "\"" && c != "n") fail("bad escape in a label value")
            value = value "\\" c; i += 2; continue
          }
          if (c == "\n") fail("line feed in a label value")
          value = value c; i++
        }
        i++
        nlabels++; lnames[nlabels] = lname; lvalues[nlabels] = value
        c = substr(rest, i, 1)
        if (c == ",") { i++; continue }
        if (c != "}") fail("no , or } after a label")
      }
      after = substr(rest, i + 1)
    }
    /^# HELP / || /^# TYPE / {
      if (!match($3, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/)) fail("bad metric name")
      if ($3 in sampled) fail($2 " after the samples of " $3)
      if (($2, $3) in said) fail("second " $2)
      said[$2, $3] = 1
      if ($2 == "TYPE") {
        if ($4 !~ /^(counter|gauge|histogram|summary|untyped)$/ || NF != 4) fail("bad TYPE")
        type[$3] = $4
      }
      next
    }
    /^#/ || /^$/ { next }
    {
      if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) fail("bad metric name")
      name = substr($0, 1, RLENGTH)
      parse_labels(substr($0, RLENGTH + 1))
      n = split(after, parts, " ")
      if (substr(after, 1, 1) != " " || n < 1 || n > 2 || !is_number(parts[1]))
        fail("bad value")
      if (n == 2 && parts[2] !~ /^-?[0-9]+$/) fail("bad timestamp")
      value = parts[1]
      fam = name; part = ""
      if (match(name, /_(bucket|sum|count)$/) && type[substr(name, 1, RSTART - 1)] == "histogram") {
        fam = substr(name, 1, RSTART - 1); part = substr(name, RSTART + 1)
      }
      if (!(fam in type)) fail("a sample without # TYPE")
      if (!(("HELP", fam) in said)) fail("a sample without # HELP")
      if (fam != current && (fam in sampled)) fail("the samples of " fam " apart")
      current = fam; sampled[fam] = 1
      key = ""; le = ""
      for (k = 1; k <= nlabels; k++)
        if (lnames[k] == "le") le = lvalues[k]
        else key = key lnames[k] "=" lvalues[k] ","
      if ((name, key, le) in series) fail("a series twice")
      series[name, key, le] = 1
      if (type[fam] != "histogram") next
      if (part == "") fail("a histogram sample that is no _bucket, _sum or _count")
      h = fam SUBSEP key; histograms[h] = 1
      if (part == "count") count[h] = value
      if (part != "bucket") next
      if (le == "" || !is_number(le)) fail("a bucket without a numeric le")
      if (h in inf) fail("a bucket after +Inf")
      if ((h in last_le) && (le == "+Inf" ? 0 : le + 0 <= last_le[h] + 0)) fail("le not rising")
      if ((h in last_count) && value + 0 < last_count[h] + 0) fail("buckets not cumulative")
      last_le[h] = le; last_count[h] = value
      if (le == "+Inf") inf[h] = value
    }
    END {
      if (bad) exit 1
      for (h in histograms) {
        if (!(h in inf)) { print FILENAME ": a histogram without +Inf"; exit 1 }
        if (!(h in count) || count[h] + 0 != inf[h] + 0) {
          print FILENAME ": +Inf is not _count"; exit 1
        }
      }
      if (!NR) { print FILENAME ": empty"; exit 1 }
    }' "$1"
}

# The checker fails what it must (a checker that passes everything tests nothing).
good='# HELP h_seconds A histogram.
# TYPE h_seconds histogram
h_seconds_bucket{endpoint="/x",le="0.5"} 1
h_seconds_bucket{endpoint="/x",le="1"} 1
h_seconds_bucket{endpoint="/x",le="+Inf"} 2
h_seconds_sum{endpoint="/x"} 0.75
h_seconds_count{endpoint="/x"} 2
# HELP c_total A counter.
# TYPE c_total counter
c_total{a="q\"uote\\back\nline",b="2"} 3'
printf '%s\n' "$good" > "$tmp/good.prom"
check checker-passes-good exposition_ok "$tmp/good.prom"
refused() { ! exposition_ok "$1" >/dev/null; }
broken() { # broken ID SED-EXPRESSION: the good sample edited so, which must not parse
  printf '%s\n' "$good" | sed "$2" > "$tmp/bad-$1.prom"
  check "checker-fails-$1" refused "$tmp/bad-$1.prom"
}
broken metric-name 's/^c_total{/2c_total{/'
broken label-name 's/a="q/1a="q/'
broken escape 's/\\back/\\back\\t/'
broken unquoted 's/b="2"/b=2/'
broken value 's/} 3$/} three/'
broken no-type '/# TYPE c_total/d'
broken type-late '/# TYPE c_total/{h;d};$G'
broken not-cumulative 's/le="+Inf"} 2/le="+Inf"} 0/'
broken inf-not-count 's/_count{endpoint="\/x"} 2/_count{endpoint="\/x"} 3/'
broken no-inf '/le="+Inf"/d'
broken le-falls 's/le="1"/le="0.25"/'
broken twice '$p'
broken apart '/h_seconds_sum/{h;d};$G'

# ---------------------------------------------------------------- counting

cd "$srcdir" || exit 99
mkdir "$tmp/rules"
cp -R rules/national.rules rules/national "$tmp/rules/"
chmod -R u+w "$tmp/rules"
params=$tmp/rules/national/parameters.rules
cp "$params" "$tmp/params.orig"
start m --threads 2 --watch 0 --timeout 2 "$tmp/rules/national.rules"
M=http://127.0.0.1:$m_port

fetch() { # fetch NAME: /metrics into $tmp/NAME.prom, its head into NAME.head
  curl -s -D "$tmp/$1.head" -o "$tmp/$1.prom" "$M/metrics"
}
scrape() { # scrape NAME: fetch NAME, which must parse
  fetch "$1"
  check "exposition-$1" exposition_ok "$tmp/$1.prom"
}
value() { # value NAME SERIES: the value of SERIES (name{labels} exactly) in NAME.prom, or 0
  v=$(awk -v s="$2 " 'index($0, s) == 1 { print $NF; exit }' "$tmp/$1.prom")
  echo "${v:-0}"
}
moved() { # moved SERIES BY: SERIES is BY more in after.prom than in before.prom
  [ "$(($(value after "$1") - $(value before "$1")))" = "$2" ] || {
    echo "metrics: $1 moved by $(($(value after "$1") - $(value before "$1"))), not $2"
    return 1
  }
}

scrape before
check content-type grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' \
  "$tmp/before.head"
# three requests of five records, two of them rejected (a required field missing, and
# malformed JSON); an unknown path with an identifier in it; a method refused; a method
# nobody knows
{ head -3 data/sample.jsonl; echo '{"hh_id":"x1"}'; echo '{"hh_id" 1}'; } > "$tmp/five.jsonl"
for i in 1 2 3; do
  curl -s -H 'Expect:' -D "$tmp/eval.head" -o /dev/null --data-binary @"$tmp/five.jsonl" \
    "$M/v1/evaluate"
done
check evaluate-rejects-two grep -qi '^elig-rejected: 2' "$tmp/eval.head"
curl -s -o /dev/null "$M/v1/households/411623196704071715"
curl -s -o /dev/null -X DELETE "$M/healthz"
curl -s -o /dev/null -X BREW -H 'Expect:' --data-binary @"$tmp/five.jsonl" "$M/v1/evaluate"
scrape after
check records-evaluated moved 'elig_records_evaluated_total' 15
check records-rejected moved 'elig_records_rejected_total' 6
check requests-evaluate-200 \
  moved 'elig_http_requests_total{endpoint="/v1/evaluate",method="POST",status="200"}' 3
check requests-unknown-path-other \
  moved 'elig_http_requests_total{endpoint="other",method="GET",status="404"}' 1
check requests-no-raw-path sh -c "! grep -e 411623196704071715 -e households '$tmp/after.prom'"
check requests-method-refused \
  moved 'elig_http_requests_total{endpoint="/healthz",method="DELETE",status="405"}' 1
check requests-method-other \
  moved 'elig_http_requests_total{endpoint="/v1/evaluate",method="other",status="405"}' 1
check requests-scrape-counted \
  moved 'elig_http_requests_total{endpoint="/metrics",method="GET",status="200"}' 1
check histogram-count \
  moved 'elig_http_request_duration_seconds_count{endpoint="/v1/evaluate"}' 4
check histogram-inf \
  moved 'elig_http_request_duration_seconds_bucket{endpoint="/v1/evaluate",le="+Inf"}' 4
positive() { awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }
check histogram-sum positive "$(value after \
  'elig_http_request_duration_seconds_sum{endpoint="/v1/evaluate"}')"
check requests-in-flight-self [ "$(value after elig_http_requests_in_flight)" = 1 ]
check build-info grep -q "^elig_build_info{version=\"$("$ELIG" --version | sed 's/^elig //')\"} 1$" \
  "$tmp/after.prom"

# the process
now=$(date +%s)
start_time=$(value after process_start_time_seconds | sed 's/\..*//')
recent() { [ "$1" -le "$now" ] && [ "$1" -gt $((now - 600)) ]; }
check process-start-time recent "$start_time"
check process-resident-memory [ "$(value after process_resident_memory_bytes)" -gt 1000000 ]
check process-open-fds [ "$(value after process_open_fds)" -ge 4 ]

# connections open: five held by a slow client, then closed (libmicrohttpd may notice a
# connection closed half way through its request head only when --timeout closes it)
"$SLOWCLIENT" 127.0.0.1 "$m_port" 5 3 headers > "$tmp/slow" &
slow=$!
sleep 1
scrape held
check connections-held [ "$(value held elig_http_connections_open)" = 6 ]
wait $slow
i=0
while fetch closed && [ "$(value closed elig_http_connections_open)" != 1 ] && [ $i -lt 100 ]; do
  sleep 0.05; i=$((i + 1))
done
check connections-closed [ "$(value closed elig_http_connections_open)" = 1 ]

# ---------------------------------------------------------------- reloads

info() { # info NAME: the hash of elig_rules_info in NAME.prom
  sed -n 's/^elig_rules_info{hash="\([^"]*\)".*/\1/p' "$tmp/$1.prom"
}
hup() { # hup WANT: SIGHUP, then waits for the reload's log line number WANT
  kill -HUP "$m_pid"
  i=0
  while [ "$(grep -c '"event":"reload"' "$tmp/m.log")" -lt "$1" ] && [ $i -lt 200 ]; do
    sleep 0.05; i=$((i + 1))
  done
}
cp "$tmp/after.prom" "$tmp/before.prom"
echo 'param broken money by year {' >> "$params"
hup 1
scrape after
check reload-failed-counted moved 'elig_rules_reloads_total{outcome="failed"}' 1
check reload-failed-flag [ "$(value after elig_rules_last_reload_failed)" = 1 ]
check reload-failed-keeps-info [ "$(info after)" = "$(info before)" ]
check reload-info-is-hash grep -q '^elig_rules_info{hash="sha256:[0-9a-f]\{64\}",policy="national",version="2020.1"} 1$' "$tmp/after.prom"
cp "$tmp/after.prom" "$tmp/before.prom"
cp "$tmp/params.orig" "$params"
hup 2
scrape after
check reload-unchanged-counted moved 'elig_rules_reloads_total{outcome="unchanged"}' 1
check reload-unchanged-clears-flag grep -q '^elig_rules_last_reload_failed 0$' "$tmp/after.prom"
cp "$tmp/after.prom" "$tmp/before.prom"
sed 's/2020: 4000 /2020: 4100 /' "$tmp/params.orig" > "$params"
sleep 1 # the new set's load time is a later second
hup 3
scrape after
check reload-replaced-counted moved 'elig_rules_reloads_total{outcome="replaced"}' 1
check reload-replaced-info [ "$(info after)" != "$(info before)" ]
check reload-replaced-info-names-hash grep -q "\"rules\":\"$(info after)\"" "$tmp/m.log"
loaded() { value "$1" elig_rules_loaded_timestamp_seconds | sed 's/\..*//'; }
check reload-replaced-loaded-later [ "$(loaded after)" -gt "$(loaded before)" ]
check reload-failed-unmoved grep -q '^elig_rules_reloads_total{outcome="failed"} 1$' "$tmp/after.prom"

# ---------------------------------------------------------------- labels escaped

printf '%s\n' 'policy "a \"quoted\" \\ name" version "1\n2"' 'record r key id {' \
  '  id text required' '}' 'decide ok when true then "yes" otherwise "no"' > "$tmp/odd.rules"
start odd --threads 1 "$tmp/odd.rules"
M=http://127.0.0.1:$odd_port
scrape odd
check labels-escaped grep -qF 'policy="a \"quoted\" \\ name",version="1\n2"} 1' "$tmp/odd.prom"

# ---------------------------------------------------------------- who may read it

# With --tokens, /metrics takes a token of scope metrics (what a scraper needs, and nothing
# more) or admin (it tells the rules in force and the traffic); a token for evaluating is
# not enough, and a metrics token cannot acknowledge a failed reload.
"$ELIG" serve --new-token ops:admin > "$tmp/admin"
"$ELIG" serve --new-token portal:evaluate > "$tmp/portal"
"$ELIG" serve --new-token prometheus:metrics > "$tmp/scraper"
sed -n 's/^line:  //p' "$tmp/admin" "$tmp/portal" "$tmp/scraper" > "$tmp/tokens"
start locked --threads 1 --tokens "$tmp/tokens" rules/national.rules
as() { # as TOKEN: the status of GET /metrics with TOKEN ("" for none)
  set -- -s -o /dev/null -w '%{http_code}' ${1:+-H "Authorization: Bearer $1"} \
    "http://127.0.0.1:$locked_port/metrics"
  curl "$@"
}
check tokens-none-401 [ "$(as '')" = 401 ]
check tokens-evaluate-403 [ "$(as "$(sed -n 's/^token: //p' "$tmp/portal")")" = 403 ]
check tokens-admin-200 [ "$(as "$(sed -n 's/^token: //p' "$tmp/admin")")" = 200 ]
check tokens-metrics-200 [ "$(as "$(sed -n 's/^token: //p' "$tmp/scraper")")" = 200 ]
check tokens-metrics-not-admin [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H "Authorization: Bearer $(sed -n 's/^token: //p' "$tmp/scraper")" \
  "http://127.0.0.1:$locked_port/v1/admin/acknowledge")" = 403 ]
check tokens-evaluate-403-says sh -c "curl -s -H 'Authorization: Bearer $(sed -n 's/^token: //p' "$tmp/portal")' \
  http://127.0.0.1:$locked_port/metrics | grep -q \"no scope 'metrics' or 'admin' for /metrics\""

# ---------------------------------------------------------------- --no-metrics

start off --threads 1 --no-metrics rules/national.rules
code=$(curl -s -o "$tmp/off.body" -w '%{http_code}' "http://127.0.0.1:$off_port/metrics")
check no-metrics-404 [ "$code" = 404 ]
check no-metrics-json grep -q '"code": "not_found"' "$tmp/off.body"
check no-metrics-not-listed sh -c "! grep -q 'GET /metrics' '$tmp/off.body'"

stop m
stop odd
stop locked
stop off

finish
