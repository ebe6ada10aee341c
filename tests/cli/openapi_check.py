#!/usr/bin/env python3
"""openapi_check.py -- checks doc/openapi.json against the answers of a running `elig serve`.

tests/cli/openapi.sh starts the servers and runs this.  First the document itself: valid
JSON without a key given twice, the shape of an OpenAPI 3.1 document (the objects it uses,
with no member the specification does not name), every JSON Schema in it valid under JSON
Schema 2020-12, every $ref found, and when the module openapi_spec_validator is installed,
its verdict too.  Then the service: each request of the list below (and each golden case
of tests/cli/serve/national) is sent, and its answer must be one the document describes
for that operation:

  status        documented for the operation (a path that is no endpoint, or a method the
                path does not take, is checked against x-elig-unknown-path and
                x-elig-other-method)
  Content-Type  one of the response's media types; no body where it has none (and for HEAD)
  body          valid against the media type's schema; for JSON Lines, each line
  headers       each one documented as required is there, each documented one present
                matches its schema, and no Elig-* header, Allow, Retry-After or
                WWW-Authenticate goes undocumented
  parameters    the query of a request answered 2xx is valid against the documented
                parameters; one answered 400 bad_parameter is not (the document is as strict
                as the service, both ways)
  request body  a single record answered 200 is valid against the documented request body

and, the other way round, every operation of the document must have been exercised and
every status it documents provoked, but those listed in UNPROVOKED with the reason (and the
workbench's 500 and 503, its file system failing and its memory running out).

The workbench's routes are asked of servers workbench and wbsecured (--workbench, with a
data folder), in an order that makes their answers what they are meant to be (a save
before its version is read, a job started before its report, a long job busy, then
cancelled); every GET of them is also asked as HEAD.  A POST of the workbench carries the
server's X-Elig-CSRF, read from its session first.

Usage: openapi_check.py SPEC VERSION --server NAME=PORT... [--golden DIR]
                        [--break-reload PID:FILE]
SPEC the document, VERSION what `elig --version` says (info.version must be it), servers
national (the shipped rules, --max-body 64K), failing (tests/cli/serve/failing), register
(--register, with a register since evaluated with other rules), secured (--tokens), limits,
slow, workbench and wbsecured (tests/cli/openapi.sh says what each is); --token SCOPE=TOKEN
a token of these scopes alone (SCOPE may list several, impact,explain); --break-reload makes the
last reload of server national fail (FILE is one of its rule files, PID its process) to
check the answers that tell of it.  Prints one line per failure and a summary; exits 1 on
any failure.
"""
import argparse
import hashlib
import http.client
import json
import os
import re
import signal
import sys
import time
import urllib.parse

import jsonschema

MAX_BODY = 64 * 1024  # the --max-body of server national (tests/cli/openapi.sh)
MAX_OUTPUT = 1024  # the --max-output of server limits
MAX_BUFFERED = 8 * 1024  # the --max-buffered of server limits

# Documented statuses no request here can provoke, with the reason.  (Codes within a
# status that are not provoked: out_of_memory, and decision_log_unavailable, which needs a
# decision log that fails to be written while the service runs.)
UNPROVOKED = {
    ("evaluate", "500"): "a library status the service does not expect",
    ("workbenchPage", "404"): "workbench_not_built needs a service whose page is not "
                              "installed (tests/cli/workbench.sh provokes it)",
    ("headWorkbenchPage", "404"): "as workbenchPage's",
    ("explain", "500"): "a library status the service does not expect",
    ("x-elig-library-errors", "413"): "libmicrohttpd 0.9.75 sends the header of this answer "
                                      "twice, so that what follows it is not the HTML page "
                                      "(reported; a client cannot read it either)",
}

# The extensions at the top of the document for the answers no operation gives, each a map
# of status to response: a request whose framing or target is refused before any path is
# looked at, a first request head the service cannot read, and what libmicrohttpd answers
# itself (on a kept-alive connection's later requests).
OUTSIDE = ("x-elig-bad-request", "x-elig-malformed-head", "x-elig-library-errors")

HOUSEHOLD = {
    "hh_id": "t1", "year": 2020, "size": 4, "net_income": 16000.02,
    "village_code": "411623101201", "food_secure": True, "clothing_secure": True,
    "water_safe": True, "housing_grade": "A", "labor_members": 2, "registered_poor": True,
}


def record(**changes):
    """The household above with `changes`; a value None leaves the field out."""
    r = dict(HOUSEHOLD)
    for k, v in changes.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    return r


def dumps(*records):
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode() + b"\n"


JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}


def requests():
    """The requests, each (name, server, method, target, headers, body, expected status).
    A body of None sends none; headers with Content-Length and a body of None send the
    headers alone (a body announced, never sent)."""
    one = dumps(record())
    r = []

    def add(name, method, target, body=None, headers=None, status=200, server="national"):
        r.append(dict(name=name, server=server, method=method, target=target,
                      headers=dict(headers or {}), body=body, status=status))

    add("evaluate-one", "POST", "/v1/evaluate", one, JSON)
    add("evaluate-one-no-type", "POST", "/v1/evaluate", one)
    add("evaluate-pretty", "POST", "/v1/evaluate",
        json.dumps(record(net_income="9000.00", size=3), indent=2).encode(), JSON)
    add("evaluate-as-of", "POST", "/v1/evaluate?as_of=2020-12-31", one, JSON)
    add("evaluate-flags", "POST", "/v1/evaluate",
        dumps(record(net_income=10, medical_expense=100, food_secure=False, size=1,
                     labor_members=0, registered_poor=False, exited_year=2018)), JSON)
    add("evaluate-lines", "POST", "/v1/evaluate",
        dumps(record(), record(hh_id="b2", size=31), record(hh_id="b3", registered_poor=False,
                                                            net_income=5000, size=2)))
    add("evaluate-ndjson-one", "POST", "/v1/evaluate", one, NDJSON)
    for alias in ("application/jsonl", "application/x-jsonlines", "application/json-lines"):
        add("evaluate-" + alias.split("/")[1], "POST", "/v1/evaluate", one,
            {"Content-Type": alias})
    add("evaluate-ndjson-errors", "POST", "/v1/evaluate",
        b'{"hh_id":"x1"}\n\n{"hh_id" 1}\n"text"\n[]\n', NDJSON)
    add("evaluate-array", "POST", "/v1/evaluate",
        b"[" + json.dumps(record()).encode() + b",\n" +
        json.dumps(record(hh_id="a2", size="four")).encode() + b"]", JSON)
    add("evaluate-empty-array", "POST", "/v1/evaluate", b"[]", JSON)
    add("evaluate-aggregates", "POST", "/v1/evaluate?aggregates=true&as_of=2020-12-31",
        dumps(record(), record(hh_id="g2", size=2, net_income=3000)))
    add("evaluate-aggregates-one", "POST", "/v1/evaluate?aggregates=1", one, JSON)
    add("evaluate-aggregates-bare", "POST", "/v1/evaluate?aggregates", one, JSON)
    add("evaluate-aggregates-no", "POST", "/v1/evaluate?aggregates=No", one, JSON)
    add("evaluate-undetermined", "POST", "/v1/evaluate?missing=undetermined",
        dumps(record(net_income=None)), JSON)
    add("evaluate-undetermined-aggregates", "POST",
        "/v1/evaluate?missing=undetermined&aggregates=yes",
        dumps(record(net_income=None), record(hh_id="v", food_secure=None,
                                              registered_poor=False)))
    add("evaluate-missing-reject", "POST", "/v1/evaluate?missing=reject",
        dumps(record(net_income=None)), JSON, status=400)
    add("evaluate-ignored-keys", "POST", "/v1/evaluate",
        dumps(record(exited_yaer=2019, **{"备注": "x"})), JSON)
    add("evaluate-members", "POST", "/v1/evaluate",
        dumps(record(members=[{"name": "a", "age": 40}, {"age": 12, "enrolled": True}])), JSON)
    add("evaluate-rejected-member", "POST", "/v1/evaluate",
        dumps(record(members=[{"age": "forty"}])), JSON, status=400)
    add("evaluate-rejected-range", "POST", "/v1/evaluate", dumps(record(size=31)), JSON,
        status=400)
    add("evaluate-rejected-not-object", "POST", "/v1/evaluate", b'"a string"', JSON,
        status=400)
    add("evaluate-malformed", "POST", "/v1/evaluate", b'{"hh_id": "m1", "year": 2020,\n',
        JSON, status=400)
    add("evaluate-malformed-array", "POST", "/v1/evaluate", b'[{"hh_id":"m2"},]', JSON,
        status=400)
    add("evaluate-no-records", "POST", "/v1/evaluate", b" \n", JSON, status=400)
    add("evaluate-no-body", "POST", "/v1/evaluate", status=400)
    add("evaluate-unknown-parameter", "POST", "/v1/evaluate?agregates=true", one, JSON,
        status=400)
    add("evaluate-bad-as-of", "POST", "/v1/evaluate?as_of=31.12.2020", one, JSON, status=400)
    add("evaluate-bad-as-of-day", "POST", "/v1/evaluate?as_of=2021-02-30", one, JSON,
        status=400)
    add("evaluate-bad-aggregates", "POST", "/v1/evaluate?aggregates=maybe", one, JSON,
        status=400)
    add("evaluate-bad-missing", "POST", "/v1/evaluate?missing=guess", one, JSON, status=400)
    add("evaluate-empty-missing", "POST", "/v1/evaluate?missing=", one, JSON, status=400)
    add("evaluate-too-large-announced", "POST", "/v1/evaluate", None,
        {"Content-Length": str(MAX_BODY + 1)}, status=413)
    add("evaluate-too-large-chunked", "POST", "/v1/evaluate", b" " * (MAX_BODY + 10),
        {"Transfer-Encoding": "chunked"}, status=413)

    add("explain-json", "POST", "/v1/explain", one, JSON)
    add("explain-json-format", "POST", "/v1/explain?format=json&as_of=2020-12-31", one, JSON)
    add("explain-text", "POST", "/v1/explain?format=text", one, JSON)
    add("explain-what-if", "POST", "/v1/explain?what_if=net_income", one, JSON)
    add("explain-what-if-text", "POST", "/v1/explain?what_if=size&format=text", one, JSON)
    add("explain-what-if-absent", "POST", "/v1/explain?what_if=exited_year", one, JSON)
    add("explain-undetermined", "POST", "/v1/explain?missing=undetermined",
        dumps(record(net_income=None)), JSON)
    add("explain-undetermined-what-if", "POST",
        "/v1/explain?missing=undetermined&what_if=net_income", dumps(record(net_income=None)),
        JSON)
    add("explain-flags", "POST", "/v1/explain",
        dumps(record(net_income=10, medical_expense=100, food_secure=False, size=1,
                     labor_members=0, registered_poor=False, exited_year=2018)), JSON)
    add("explain-ignored-keys", "POST", "/v1/explain", dumps(record(note="x")), JSON)
    add("explain-two", "POST", "/v1/explain", dumps(record(), record(hh_id="t2")), status=400)
    add("explain-array", "POST", "/v1/explain", b"[" + one + b"]", JSON, status=400)
    add("explain-rejected", "POST", "/v1/explain", dumps(record(size=0)), JSON, status=400)
    add("explain-what-if-key", "POST", "/v1/explain?what_if=hh_id", one, JSON, status=400)
    add("explain-bad-format", "POST", "/v1/explain?format=csv", one, JSON, status=400)
    add("explain-unknown-parameter", "POST", "/v1/explain?aggregates=true", one, JSON,
        status=400)
    add("explain-no-records", "POST", "/v1/explain", b"", JSON, status=400)
    add("explain-too-large", "POST", "/v1/explain", None,
        {"Content-Length": str(MAX_BODY + 1), "Content-Type": "application/json"}, status=413)

    add("rules", "GET", "/v1/rules")
    add("rules-head", "HEAD", "/v1/rules")
    add("rules-unknown-parameter", "GET", "/v1/rules?x=1", status=400)
    add("rules-head-unknown-parameter", "HEAD", "/v1/rules?x", status=400)
    add("rules-too-large", "GET", "/v1/rules", None, {"Content-Length": str(MAX_BODY + 1)},
        status=413)
    add("rules-head-too-large", "HEAD", "/v1/rules", None,
        {"Content-Length": str(MAX_BODY + 1)}, status=413)
    add("health", "GET", "/healthz")
    add("health-head", "HEAD", "/healthz")
    add("health-unknown-parameter", "GET", "/healthz?verbose=1", status=400)
    add("health-head-unknown-parameter", "HEAD", "/healthz?verbose", status=400)
    add("health-too-large", "GET", "/healthz", None, {"Content-Length": str(MAX_BODY + 1)},
        status=413)
    add("health-head-too-large", "HEAD", "/healthz", None,
        {"Content-Length": str(MAX_BODY + 1)}, status=413)

    add("unknown-path", "GET", "/v2/evaluate", status=404)
    add("unknown-path-post", "POST", "/v1/evaluate/", one, JSON, status=404)
    add("unknown-path-head", "HEAD", "/", status=404)
    add("method-get-evaluate", "GET", "/v1/evaluate", status=405)
    add("method-head-explain", "HEAD", "/v1/explain", status=405)
    add("method-put-explain", "PUT", "/v1/explain", one, JSON, status=405)
    add("method-delete-health", "DELETE", "/healthz", status=405)
    add("method-post-rules", "POST", "/v1/rules", one, JSON, status=405)
    add("method-options-rules", "OPTIONS", "/v1/rules", status=405)

    failing = '{"id":"f%d","income":%d,"weight":%d,"group":"%s"}\n'
    add("rule-failed", "POST", "/v1/evaluate",
        (failing % (1, 1000000, 1, "x")).encode(), JSON, status=422, server="failing")
    add("rule-failed-explain", "POST", "/v1/explain",
        (failing % (2, 1000000, 1, "x")).encode(), JSON, status=422, server="failing")
    add("rule-failed-aggregate", "POST", "/v1/evaluate?aggregates=true",
        ((failing % (3, 0, 0, "x")) + (failing % (4, 0, 2, "y"))).encode(), status=422,
        server="failing")

    add("evaluate-parameter-twice", "POST", "/v1/evaluate?missing=reject&missing=reject", one,
        JSON, status=400)
    add("evaluate-too-many-records", "POST", "/v1/evaluate", dumps(record(), record(hh_id="2"),
                                                                   record(hh_id="3")),
        status=413, server="limits")
    add("evaluate-output-too-large", "POST", "/v1/evaluate",
        dumps(record(hh_id="x" * MAX_OUTPUT)), JSON, status=413, server="limits")
    add("evaluate-output-too-large-lines", "POST", "/v1/evaluate?aggregates=true",
        dumps(record(hh_id="y" * (MAX_OUTPUT // 2)), record(hh_id="z" * (MAX_OUTPUT // 2))),
        status=413, server="limits")
    big = b"[" + b",".join([json.dumps(record(hh_id="p%d" % i)).encode()
                            for i in range(MAX_BUFFERED // 200)]) + b"]"
    add("evaluate-busy", "POST", "/v1/evaluate", big, JSON, status=503, server="limits")
    add("explain-busy", "POST", "/v1/explain", big, JSON, status=503, server="limits")
    add("evaluate-timeout", "POST", "/v1/evaluate",
        dumps(*[record(hh_id="s%d" % i) for i in range(2000)]), status=503, server="slow")

    add("ready", "GET", "/readyz")
    add("ready-head", "HEAD", "/readyz")
    add("ready-unknown-parameter", "GET", "/readyz?x=1", status=400)
    add("ready-head-unknown-parameter", "HEAD", "/readyz?x", status=400)
    add("ready-too-large", "GET", "/readyz", None, {"Content-Length": str(MAX_BODY + 1)},
        status=413)
    add("ready-head-too-large", "HEAD", "/readyz", None, {"Content-Length": str(MAX_BODY + 1)},
        status=413)
    add("acknowledge-nothing", "POST", "/v1/admin/acknowledge")
    add("acknowledge-unknown-parameter", "POST", "/v1/admin/acknowledge?all=1", status=400)
    add("acknowledge-too-large", "POST", "/v1/admin/acknowledge", None,
        {"Content-Length": str(MAX_BODY + 1)}, status=413)
    add("method-get-acknowledge", "GET", "/v1/admin/acknowledge", status=405)
    add("metrics", "GET", "/metrics")
    add("metrics-head", "HEAD", "/metrics")
    add("metrics-unknown-parameter", "GET", "/metrics?name[]=x", status=400)
    add("metrics-head-unknown-parameter", "HEAD", "/metrics?x", status=400)
    add("metrics-too-large", "GET", "/metrics", None, {"Content-Length": str(MAX_BODY + 1)},
        status=413)
    add("metrics-head-too-large", "HEAD", "/metrics", None,
        {"Content-Length": str(MAX_BODY + 1)}, status=413)
    add("method-post-metrics", "POST", "/metrics", one, JSON, status=405)

    # framing refused before the path is looked at, sent as bytes; on an endpoint it is
    # the operation's answer, elsewhere x-elig-bad-request's
    def raw(name, method, target, lines, body=b"", status=400, outside=None, version="1.1",
            later=False, line=None):
        """`later`: sent after a good request on the same connection; `line`: the request
        line as it is, instead of METHOD TARGET HTTP/VERSION."""
        head = "%s\r\n%s\r\n" % (line or "%s %s HTTP/%s" % (method, target, version),
                                   "".join(h + "\r\n" for h in lines))
        r.append(dict(name=name, server="national", method=method, target=target, headers={},
                      body=None, raw=head.encode() + body, status=status, outside=outside,
                      first=b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" if later else None))

    raw("bad-request-two-lengths", "POST", "/v1/evaluate",
        ["Host: x", "Content-Length: %d" % len(one), "Content-Length: %d" % len(one)], one)
    raw("bad-request-length-and-chunked", "POST", "/v1/explain",
        ["Host: x", "Content-Length: 5", "Transfer-Encoding: chunked"], b"0\r\n\r\n")
    raw("bad-request-no-host", "GET", "/v1/rules", [])
    raw("bad-request-no-host-head", "HEAD", "/healthz", [])
    raw("bad-request-nul", "GET", "/readyz%00x", ["Host: x"], outside="x-elig-bad-request")
    raw("bad-request-nul-unknown", "GET", "/v1/rules%00", ["Host: x"],
        outside="x-elig-bad-request")
    raw("bad-request-unknown-path", "POST", "/v9", ["Host: x", "Content-Length: 1",
                                                    "Content-Length: 1"], b"x",
        outside="x-elig-bad-request")
    raw("transfer-encoding-unknown-path", "POST", "/v9", ["Host: x",
                                                          "Transfer-Encoding: gzip"],
        status=501, outside="x-elig-bad-request")
    raw("head-request-line", "GET", "/healthz", ["Host: x"], line="GET /healthz",
        outside="x-elig-malformed-head")
    raw("head-field-line", "GET", "/healthz", ["Host: x", "Bad Header: 1"],
        outside="x-elig-malformed-head")
    raw("head-length-overflow", "POST", "/v1/evaluate",
        ["Host: x", "Content-Length: " + "9" * 30], status=413, outside="x-elig-malformed-head")
    raw("head-target-too-long", "GET", "/healthz?" + "a" * 9000, ["Host: x"], status=414,
        outside="x-elig-malformed-head")
    raw("head-too-large", "GET", "/healthz", ["Host: x", "X-Big: " + "a" * 70000],
        status=431, outside="x-elig-malformed-head")
    raw("head-version", "GET", "/healthz", ["Host: x"], status=505,
        outside="x-elig-malformed-head", version="2.0")
    raw("library-header-too-large", "GET", "/healthz", ["Host: x", "X-Big: " + "a" * 70000],
        status=431, outside="x-elig-library-errors", later=True)
    raw("library-version", "GET", "/healthz", ["Host: x"], status=505,
        outside="x-elig-library-errors", version="2.0", later=True)

    add("register-differs", "POST", "/v1/evaluate", one, JSON, status=409, server="register")
    add("register-differs-lines", "POST", "/v1/evaluate", dumps(record(), record(hh_id="t2")),
        NDJSON, server="register")
    add("register-differs-explain", "POST", "/v1/explain", one, JSON, status=409,
        server="register")
    return r + workbench_requests()


# ---------------------------------------------------------------- the workbench

# What the workbench's servers hold (tests/cli/openapi.sh): server workbench (no tokens,
# --max-body 64K, --workbench-upload-max 64K) and wbsecured (--tokens), each over a copy of
# the rules with a link out (outside.rules), a file not UTF-8 (latin1.rules) and one over
# 1 MiB (big.rules); their data folder holds the sample (r.csv), 300,000 households
# (large.csv), a register whose header is no CSV (broken.csv) and a link out (outside.csv).
WB_MAX = 64 * 1024
CSRF = "{csrf}"  # the server's X-Elig-CSRF, put in when the request is sent
TEXT = "text/plain; charset=utf-8"
HOUSEHOLD_RULES = "rules/national/household.rules"
WB_RULES = "national/household.rules"
SAMPLE_ID = ("411623101203-023", "2019")


def workbench_requests():
    """The workbench's requests on server workbench, in order (they change what it holds:
    a save, an upload, jobs); each GET is followed by the same request as HEAD."""
    r = []
    with open(HOUSEHOLD_RULES, "rb") as f:
        rules_text = f.read()
    saved = rules_text + b"\n# openapi\n"
    post = {"X-Elig-CSRF": CSRF, "Content-Type": TEXT}

    def add(name, method, target, body=None, headers=None, status=200, idle=False):
        req = dict(name="wb-" + name, server="workbench", method=method, target=target,
                   headers=dict(headers or {}), body=body, status=status, idle=idle)
        r.append(req)
        if method == "GET":
            r.append(dict(req, name=req["name"] + "-head", method="HEAD"))

    too_large = {"Content-Length": str(WB_MAX + 1)}
    evil = {"Host": "evil.example"}
    for path, ok in (("/workbench", 308), ("/workbench/", 200), ("/workbench/app.js", 200)):
        add("page" + path, "GET", path, status=ok)
        add("page-param" + path, "GET", path + "?x=1", status=400)
        add("page-host" + path, "GET", path, headers=evil, status=403)
        add("page-too-large" + path, "GET", path, headers=too_large, status=413)
    add("page-none", "GET", "/workbench/none.js", status=404)
    for route in ("session", "files", "data"):
        add(route, "GET", f"/v1/workbench/{route}")
        add(route + "-param", "GET", f"/v1/workbench/{route}?x=1", status=400)
        add(route + "-host", "GET", f"/v1/workbench/{route}", headers=evil, status=403)
        add(route + "-too-large", "GET", f"/v1/workbench/{route}", headers=too_large, status=413)
    f = "/v1/workbench/file?path="
    add("file", "GET", f + "national/schema.rules")
    add("file-bad-path", "GET", f + "../secret.rules", status=400)
    add("file-link", "GET", f + "outside.rules", status=403)
    add("file-none", "GET", f + "national/none.rules", status=404)
    add("file-big", "GET", f + "big.rules", status=413)
    add("file-latin1", "GET", f + "latin1.rules", status=422)
    add("history", "GET", "/v1/workbench/history?path=national/household.rules")
    add("history-bad-path", "GET", "/v1/workbench/history?path=/etc/passwd", status=400)
    for route in ("check", "fmt", "test"):
        t = f"/v1/workbench/{route}?path=national/household.rules"
        add(route, "POST", t, rules_text, post)
        add(route + "-bad-path", "POST", f"/v1/workbench/{route}?path=a/../b.rules", rules_text,
            post, status=400)
        add(route + "-no-csrf", "POST", t, rules_text, status=403)
        add(route + "-too-large", "POST", t, None, dict(post, **too_large), status=413)
    add("check-broken", "POST", "/v1/workbench/check?path=national/household.rules",
        rules_text + b"\nlet broken =\n", post)
    add("fmt-broken", "POST", "/v1/workbench/fmt?path=national/household.rules",
        b"let = (", post)
    add("test-broken", "POST", "/v1/workbench/test?path=national/household.rules",
        rules_text + b"\nlet broken =\n", post)
    sv = "/v1/workbench/save?path=national/household.rules"
    add("save", "POST", sv, saved, post)
    add("save-conflict", "POST", sv + "&base=" + "0" * 64, saved, post, status=409)
    add("save-broken", "POST", sv, rules_text + b"\nlet broken =\n", post, status=422)
    with open("rules/national.rules", "rb") as fh:  # a root: it compiles where the link is
        root_text = fh.read()
    add("save-link", "POST", "/v1/workbench/save?path=outside.rules&base=none", root_text, post,
        status=403)
    add("save-bad-base", "POST", sv + "&base=xyz", saved, post, status=400)
    add("save-no-csrf", "POST", sv, saved, status=403)
    add("save-too-large", "POST", sv, None, dict(post, **too_large), status=413)
    v = "/v1/workbench/version?sha256="
    add("version", "GET", v + hashlib.sha256(saved).hexdigest())
    add("version-none", "GET", v + "0" * 64, status=404)
    add("version-bad", "GET", v + "xyz", status=400)
    with open("data/sample.csv", "rb") as fh:
        small = fh.read(4000).rsplit(b"\n", 1)[0] + b"\n"
    up = "/v1/workbench/upload?name="
    octets = dict(post, **{"Content-Type": "application/octet-stream"})
    add("upload", "POST", up + "small.csv", small, octets)
    add("upload-empty", "POST", up + "small.csv", b"", octets, status=400)
    add("upload-bad-name", "POST", up + "..%2Fx.csv", small, octets, status=400)
    add("upload-too-large", "POST", up + "big.csv", None, dict(octets, **too_large), status=413)
    add("upload-no-csrf", "POST", up + "small.csv", small, status=403)
    hh = "/v1/workbench/household?data=r.csv&id=%s" % SAMPLE_ID[0]
    add("household", "GET", hh + "&year=" + SAMPLE_ID[1])
    add("household-years", "GET", hh + "&as_of=2022-01-01")
    add("household-bad-year", "GET", hh + "&year=20x0", status=400)
    add("household-bad-path", "GET", "/v1/workbench/household?data=../x.csv&id=x", status=400)
    add("household-none", "GET", "/v1/workbench/household?data=r.csv&id=nobody", status=404)
    add("household-link", "GET", "/v1/workbench/household?data=outside.csv&id=x", status=403)
    add("household-broken", "GET", "/v1/workbench/household?data=broken.csv&id=x", status=422)
    add("household-too-large", "GET", hh, headers=too_large, status=413)
    im = "/v1/workbench/impact?path=national/household.rules"
    add("impact-status-none", "GET", "/v1/workbench/impact")
    add("impact-report-none", "GET", "/v1/workbench/impact/report", status=409)
    add("impact", "POST", im + "&data=r.csv", saved, post, status=202, idle=True)
    add("impact-bad-by", "POST", im + "&data=r.csv&by=villag", saved, post, status=400, idle=True)
    add("impact-no-register", "POST", im + "&data=none.csv", saved, post, status=404, idle=True)
    add("impact-link", "POST", im + "&data=outside.csv", saved, post, status=403, idle=True)
    add("impact-broken", "POST", im + "&data=r.csv", rules_text + b"\nlet broken =\n", post,
        status=422, idle=True)
    add("impact-too-large", "POST", im + "&data=r.csv", None, dict(post, **too_large),
        status=413)
    add("impact-no-csrf", "POST", im + "&data=r.csv", saved, status=403)
    add("impact-status", "GET", "/v1/workbench/impact", idle=True)
    add("impact-report", "GET", "/v1/workbench/impact/report")
    add("impact-list", "GET", "/v1/workbench/impact/list")
    add("impact-status-other", "GET", "/v1/workbench/impact?job=" + "0" * 32, status=404)
    add("impact-report-other", "GET", "/v1/workbench/impact/report?job=" + "0" * 32, status=404)
    add("impact-list-other", "GET", "/v1/workbench/impact/list?job=" + "0" * 32, status=404)
    add("impact-cancel-idle", "POST", "/v1/workbench/impact/cancel", None, post, status=409)
    add("impact-large", "POST", im + "&data=large.csv&by=county&as_of=2021-01-01", saved, post,
        status=202)
    add("impact-busy", "POST", im + "&data=r.csv", saved, post, status=409)
    add("impact-report-running", "GET", "/v1/workbench/impact/report", status=409)
    add("impact-list-running", "GET", "/v1/workbench/impact/list", status=409)
    add("impact-cancel", "POST", "/v1/workbench/impact/cancel", None, post, status=202)
    add("impact-cancel-other", "POST", "/v1/workbench/impact/cancel?job=" + "0" * 32, None,
        post, status=404)
    add("impact-cancel-param", "POST", "/v1/workbench/impact/cancel?x=1", None, post,
        status=400)
    add("impact-after-cancel", "GET", "/v1/workbench/impact", idle=True)
    # every other GET: a parameter it does not take, a body over --max-body
    for route in ("history?path=" + WB_RULES, "version?sha256=" + "0" * 64, "impact",
                  "impact/report", "impact/list"):
        target = "/v1/workbench/" + route
        add("param-" + route, "GET", target + ("&" if "?" in target else "?") + "x=1",
            status=400)
        add("too-large-" + route, "GET", target, headers=too_large, status=413)
    add("impact-cancel-too-large", "POST", "/v1/workbench/impact/cancel", None,
        dict(post, **too_large), status=413)
    return r


# A request each operation answers 200 (on a server without --tokens), for the requests
# derived from the document: (method, target, body, headers).
ONE = dumps(record())
BASE = {
    "evaluate": ("POST", "/v1/evaluate", ONE, JSON),
    "explain": ("POST", "/v1/explain", ONE, JSON),
    "getRules": ("GET", "/v1/rules", None, {}),
    "headRules": ("HEAD", "/v1/rules", None, {}),
    "health": ("GET", "/healthz", None, {}),
    "headHealth": ("HEAD", "/healthz", None, {}),
    "ready": ("GET", "/readyz", None, {}),
    "headReady": ("HEAD", "/readyz", None, {}),
    "acknowledge": ("POST", "/v1/admin/acknowledge", None, {}),
    "metrics": ("GET", "/metrics", None, {}),
    "headMetrics": ("HEAD", "/metrics", None, {}),
}

# The workbench's operations, on servers workbench and wbsecured: (method, target, body,
# headers, the statuses that tell the request was let in, whether it waits for no job to
# run).  A job may be running or over when they are sent: the job routes take either.
WB_LET_IN = {
    "workbenchRedirect": ("GET", "/workbench", None, {}, (308,)),
    "workbenchPage": ("GET", "/workbench/", None, {}, (200,)),
    "workbenchAsset": ("GET", "/workbench/app.js", None, {}, (200,)),
    "workbenchSession": ("GET", "/v1/workbench/session", None, {}, (200,)),
    "workbenchFiles": ("GET", "/v1/workbench/files", None, {}, (200,)),
    "workbenchFile": ("GET", "/v1/workbench/file?path=" + WB_RULES, None, {}, (200,)),
    "workbenchHistory": ("GET", "/v1/workbench/history?path=" + WB_RULES, None, {}, (200,)),
    "workbenchVersion": ("GET", "/v1/workbench/version?sha256=" + "0" * 64, None, {}, (404,)),
    "workbenchCheck": ("POST", "/v1/workbench/check?path=" + WB_RULES, b"let x = 1",
                       {"X-Elig-CSRF": CSRF, "Content-Type": TEXT}, (200,)),
    "workbenchFmt": ("POST", "/v1/workbench/fmt?path=" + WB_RULES, b"let x = 1",
                     {"X-Elig-CSRF": CSRF, "Content-Type": TEXT}, (200,)),
    "workbenchTest": ("POST", "/v1/workbench/test?path=" + WB_RULES, b"let x = 1",
                      {"X-Elig-CSRF": CSRF, "Content-Type": TEXT}, (200,)),
    "workbenchSave": ("POST", "/v1/workbench/save?path=" + WB_RULES, b"let x = 1",
                      {"X-Elig-CSRF": CSRF, "Content-Type": TEXT}, (422,)),
    "workbenchRegisters": ("GET", "/v1/workbench/data", None, {}, (200,)),
    "workbenchUpload": ("POST", "/v1/workbench/upload?name=x.csv", b"hh_id\n",
                        {"X-Elig-CSRF": CSRF, "Content-Type": "application/octet-stream"}, (200,)),
    "workbenchHousehold": ("GET", "/v1/workbench/household?data=r.csv&id=" + SAMPLE_ID[0] +
                           "&year=" + SAMPLE_ID[1], None, {}, (200,)),
    "workbenchImpactStart": ("POST", "/v1/workbench/impact?path=" + WB_RULES + "&data=r.csv",
                             None, {"X-Elig-CSRF": CSRF, "Content-Type": TEXT}, (202,), True),
    "workbenchImpactStatus": ("GET", "/v1/workbench/impact", None, {}, (200,)),
    "workbenchImpactCancel": ("POST", "/v1/workbench/impact/cancel", None,
                              {"X-Elig-CSRF": CSRF}, (202, 409)),
    "workbenchImpactReport": ("GET", "/v1/workbench/impact/report", None, {}, (200, 409)),
    "workbenchImpactList": ("GET", "/v1/workbench/impact/list", None, {}, (200, 409)),
}
with open(HOUSEHOLD_RULES, "rb") as _f:  # an impact needs rules that compile
    WB_LET_IN["workbenchImpactStart"] = WB_LET_IN["workbenchImpactStart"][:2] + \
        (_f.read(),) + WB_LET_IN["workbenchImpactStart"][3:]


def let_in(op):
    """How an operation is let in, as derived_requests sends it: (server without tokens,
    server with tokens, method, target, body, headers, statuses when let in, idle)."""
    name = op["operationId"]
    head = name.startswith("head") and name[4].isupper()
    get_name = name[4].lower() + name[5:] if head else name
    if get_name in WB_LET_IN:
        m, target, body, headers, ok, *idle = WB_LET_IN[get_name]
        return ("workbench", "wbsecured", "HEAD" if head else m, target, body, headers, ok,
                bool(idle and idle[0]))
    if name in BASE:
        m, target, body, headers = BASE[name]
        return ("national", "secured", m, target, body, headers, (200,), False)
    return None


def scopes_needed(op, doc):
    """Each way a token may be let in: the sets of scopes, all of one set needed."""
    return [set(scopes) for req in op.get("security", doc.get("security", []))
            for scopes in req.values()]


def derived_requests(doc, tokens):
    """For every operation of the document: a transfer coding the service cannot read
    (501); and on server secured (--tokens; `tokens` maps each scope to a token that has
    that scope alone) what its `security` says: without a token and with an unknown one
    401, with a token of another scope 403, with one of the scope it names 200; none of
    them needed where it is empty."""
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            how = let_in(op) if method in METHODS else None
            if not how:
                continue
            name = op["operationId"]
            open_server, secured, m, target, body, headers, ok, idle = how

            def add(what, status, server=open_server, extra=None, body=body):
                out.append(dict(name=f"{name}-{what}", server=server, method=m, target=target,
                                headers=dict(headers, **(extra or {})), body=body,
                                status=status, idle=idle))

            # no body: with Content-Length as well it would be 400 bad_request
            add("transfer-encoding", 501, extra={"Transfer-Encoding": "gzip, chunked"},
                body=None)
            needs = scopes_needed(op, doc)
            if not needs or set() in needs:
                add("open", ok, secured)
                continue
            add("no-token", 401, secured)
            add("unknown-token", 401, secured,
                {"Authorization": "Bearer elig_" + "A" * 43})
            for scope, token in sorted(tokens.items()):
                bearer = {"Authorization": "Bearer " + token}
                has = set(scope.split(","))
                add("scope-" + scope, ok if any(n <= has for n in needs) else 403, secured,
                    bearer)
    return out


def after_failed_reload():
    """The answers that tell of a failed reload, asked once it has failed."""
    return [dict(name=n, server="national", method=m, target=t, headers={}, body=None,
                 status=status)
            for n, m, t, status in (("health-reload-failed", "GET", "/healthz", 200),
                                    ("rules-reload-failed", "GET", "/v1/rules", 200),
                                    ("health-head-reload-failed", "HEAD", "/healthz", 200),
                                    ("ready-reload-failed", "GET", "/readyz", 503),
                                    ("ready-head-reload-failed", "HEAD", "/readyz", 503),
                                    ("metrics-reload-failed", "GET", "/metrics", 200),
                                    ("acknowledge-failure", "POST", "/v1/admin/acknowledge",
                                     200),
                                    ("ready-acknowledged", "GET", "/readyz", 200))]


def golden_requests(folder):
    """The golden cases of tests/cli/serve.sh (METHOD TARGET, headers, a blank line, the
    body), sent as they are; their answers are checked against the document only."""
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".http"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            text = f.read()
        head, _, body = text.partition(b"\n\n")
        lines = head.decode().split("\n")
        method, target = lines[0].split(" ", 1)
        headers = dict(h.split(": ", 1) for h in lines[1:] if h)
        out.append(dict(name="golden/" + name[:-5], server="national", method=method,
                        target=target, headers=headers,
                        body=body if method not in ("GET", "HEAD", "DELETE") else None,
                        status=None))
    return out


# ---------------------------------------------------------------- the document itself

def strict(properties, required=(), extra=None):
    """An object with these members only, and extensions (x-...)."""
    s = {"type": "object", "properties": properties, "patternProperties": {"^x-": True},
         "additionalProperties": False}
    if required:
        s["required"] = list(required)
    if extra:
        s.update(extra)
    return s


def ref_or(name):
    return {"if": {"type": "object", "required": ["$ref"]},
            "then": {"$ref": "#/$defs/reference"}, "else": {"$ref": "#/$defs/" + name}}


def map_of(name):
    return {"type": "object", "additionalProperties": ref_or(name)}


STRING = {"type": "string"}
BOOL = {"type": "boolean"}
ANY = True
SCHEMA_OBJECT = {"type": ["object", "boolean"]}  # checked against 2020-12 separately

# The OpenAPI 3.1.0 objects as the specification defines them (section 4.8): a member it
# does not name is an error, so that a misspelt "requried" or "respones" does not pass.
OAS_31 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$ref": "#/$defs/openapi",
    "$defs": {
        "openapi": strict({
            "openapi": {"type": "string", "pattern": "^3\\.1\\.[0-9]+$"},
            "info": {"$ref": "#/$defs/info"},
            "jsonSchemaDialect": STRING,
            "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}},
            "paths": {"type": "object", "patternProperties": {
                "^/": {"$ref": "#/$defs/pathItem"}, "^x-": True},
                "additionalProperties": False},
            "webhooks": map_of("pathItem"),
            "components": {"$ref": "#/$defs/components"},
            "security": {"type": "array", "items": {"$ref": "#/$defs/securityRequirement"}},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}},
            "externalDocs": {"$ref": "#/$defs/externalDocs"},
        }, ["openapi", "info"], {"anyOf": [{"required": ["paths"]},
                                           {"required": ["components"]},
                                           {"required": ["webhooks"]}]}),
        "info": strict({
            "title": STRING, "summary": STRING, "description": STRING,
            "termsOfService": STRING,
            "contact": strict({"name": STRING, "url": STRING, "email": STRING}),
            "license": strict({"name": STRING, "identifier": STRING, "url": STRING}, ["name"]),
            "version": STRING,
        }, ["title", "version"]),
        "server": strict({"url": STRING, "description": STRING, "variables": {
            "type": "object", "additionalProperties": strict(
                {"enum": {"type": "array", "items": STRING, "minItems": 1},
                 "default": STRING, "description": STRING}, ["default"])}}, ["url"]),
        "externalDocs": strict({"description": STRING, "url": STRING}, ["url"]),
        "tag": strict({"name": STRING, "description": STRING,
                       "externalDocs": {"$ref": "#/$defs/externalDocs"}}, ["name"]),
        "reference": strict({"$ref": STRING, "summary": STRING, "description": STRING},
                            ["$ref"]),
        "pathItem": strict(dict({
            "$ref": STRING, "summary": STRING, "description": STRING,
            "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}},
            "parameters": {"type": "array", "items": ref_or("parameter")},
        }, **{m: {"$ref": "#/$defs/operation"}
              for m in ("get", "put", "post", "delete", "options", "head", "patch", "trace")})),
        "operation": strict({
            "tags": {"type": "array", "items": STRING}, "summary": STRING,
            "description": STRING, "externalDocs": {"$ref": "#/$defs/externalDocs"},
            "operationId": STRING,
            "parameters": {"type": "array", "items": ref_or("parameter")},
            "requestBody": ref_or("requestBody"),
            "responses": {"$ref": "#/$defs/responses"},
            "callbacks": {"type": "object"}, "deprecated": BOOL,
            "security": {"type": "array", "items": {"$ref": "#/$defs/securityRequirement"}},
            "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}},
        }, ["responses"]),
        "securityRequirement": {"type": "object",
                                "additionalProperties": {"type": "array", "items": STRING}},
        "responses": {"type": "object", "minProperties": 1, "patternProperties": {
            "^[1-5](?:[0-9]{2}|XX)$": ref_or("response"), "^x-": True},
            "properties": {"default": ref_or("response")}, "additionalProperties": False},
        "response": strict({
            "description": STRING, "headers": map_of("header"),
            "content": {"type": "object", "additionalProperties": {"$ref": "#/$defs/mediaType"}},
            "links": {"type": "object"},
        }, ["description"]),
        "mediaType": strict({"schema": SCHEMA_OBJECT, "example": ANY,
                             "examples": map_of("example"), "encoding": {"type": "object"}}),
        "example": strict({"summary": STRING, "description": STRING, "value": ANY,
                           "externalValue": STRING}),
        "parameter": strict({
            "name": STRING, "in": {"enum": ["query", "header", "path", "cookie"]},
            "description": STRING, "required": BOOL, "deprecated": BOOL,
            "allowEmptyValue": BOOL, "style": STRING, "explode": BOOL, "allowReserved": BOOL,
            "schema": SCHEMA_OBJECT, "example": ANY, "examples": map_of("example"),
            "content": {"type": "object", "additionalProperties": {"$ref": "#/$defs/mediaType"},
                        "minProperties": 1, "maxProperties": 1},
        }, ["name", "in"], {"oneOf": [{"required": ["schema"]}, {"required": ["content"]}],
                            "if": {"properties": {"in": {"const": "path"}}},
                            "then": {"required": ["required"],
                                     "properties": {"required": {"const": True}}}}),
        "requestBody": strict({"description": STRING, "required": BOOL, "content": {
            "type": "object", "additionalProperties": {"$ref": "#/$defs/mediaType"}}},
            ["content"]),
        "header": strict({
            "description": STRING, "required": BOOL, "deprecated": BOOL, "style": STRING,
            "explode": BOOL, "schema": SCHEMA_OBJECT, "example": ANY,
            "examples": map_of("example"), "content": {"type": "object"},
        }, (), {"oneOf": [{"required": ["schema"]}, {"required": ["content"]}]}),
        "securityScheme": strict({
            "type": {"enum": ["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"]},
            "description": STRING, "name": STRING, "in": {"enum": ["query", "header", "cookie"]},
            "scheme": STRING, "bearerFormat": STRING, "flows": {"type": "object"},
            "openIdConnectUrl": STRING}, ["type"]),
        "components": strict({
            "schemas": {"type": "object", "additionalProperties": SCHEMA_OBJECT},
            "responses": map_of("response"), "parameters": map_of("parameter"),
            "examples": map_of("example"), "requestBodies": map_of("requestBody"),
            "headers": map_of("header"), "securitySchemes": map_of("securityScheme"),
            "links": {"type": "object"}, "callbacks": {"type": "object"},
            "pathItems": map_of("pathItem"),
        }),
    },
}

# The headers the service sets besides Elig-*: each must be documented where it is sent.
OWN_HEADERS = ("allow", "retry-after", "www-authenticate")

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def load_without_duplicates(path):
    def pairs(items):
        seen = {}
        for k, v in items:
            if k in seen:
                raise ValueError(f"{path}: the key '{k}' is given twice")
            seen[k] = v
        return seen
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=pairs)


def pointer(doc, ref):
    """The value of a local $ref ("#/a/b~1c") in doc, or KeyError."""
    if not ref.startswith("#"):
        raise KeyError(f"only local references are used here, not '{ref}'")
    node = doc
    for part in ref[1:].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def escape(key):
    return key.replace("~", "~0").replace("/", "~1")


def schemas_in(doc):
    """Where the JSON Schemas of the document are: (pointer, schema)."""
    found = [("#/components/schemas/" + escape(k), v)
             for k, v in doc.get("components", {}).get("schemas", {}).items()]

    def media(where, content):
        for mt, m in (content or {}).items():
            if "schema" in m:
                found.append((f"{where}/content/{escape(mt)}/schema", m["schema"]))

    def holder(where, obj):  # a parameter or header
        if "schema" in obj:
            found.append((where + "/schema", obj["schema"]))
        media(where, obj.get("content"))

    comps = doc.get("components", {})
    for kind in ("parameters", "headers"):
        for k, v in comps.get(kind, {}).items():
            holder(f"#/components/{kind}/{escape(k)}", v)
    for k, v in comps.get("responses", {}).items():
        media(f"#/components/responses/{escape(k)}", v.get("content"))
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            where = f"#/paths/{escape(path)}/{method}"
            for i, p in enumerate(op.get("parameters", [])):
                holder(f"{where}/parameters/{i}", p)
            media(where + "/requestBody", op.get("requestBody", {}).get("content"))
            for status, resp in op.get("responses", {}).items():
                media(f"{where}/responses/{status}", resp.get("content"))
                for h, hv in resp.get("headers", {}).items():
                    holder(f"{where}/responses/{status}/headers/{escape(h)}", hv)
    return found


def refs_in(node, where="#"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield where, v
            else:
                yield from refs_in(v, f"{where}/{escape(k)}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from refs_in(v, f"{where}/{i}")


def check_document(doc, version, fail):
    for e in jsonschema.Draft202012Validator(OAS_31).iter_errors(doc):
        fail("document", f"not OpenAPI 3.1 at {'/'.join(map(str, e.absolute_path))}: "
                         f"{shorten(e.message)}")
    for where, s in schemas_in(doc):
        try:
            jsonschema.Draft202012Validator.check_schema(s)
        except jsonschema.SchemaError as e:
            fail("document", f"{where}: not a JSON Schema 2020-12: {shorten(e.message)}")
    for where, target in refs_in(doc):
        try:
            pointer(doc, target)
        except (KeyError, IndexError, ValueError) as e:
            fail("document", f"{where}: $ref '{target}' leads nowhere ({e})")
    ids = [op.get("operationId") for item in doc.get("paths", {}).values()
           for m, op in item.items() if m in METHODS]
    for dup in {i for i in ids if ids.count(i) > 1}:
        fail("document", f"operationId '{dup}' is given twice")
    if None in ids:
        fail("document", "an operation has no operationId")
    schemes = doc.get("components", {}).get("securitySchemes", {})
    for path, item in doc.get("paths", {}).items():
        for m, op in item.items():
            for req in op.get("security", []) if m in METHODS else []:
                for name in req:
                    if name not in schemes:
                        fail("document", f"{m.upper()} {path}: security scheme '{name}' "
                                         "is not in components/securitySchemes")
    if doc.get("info", {}).get("version") != version:
        fail("document", f"info.version is '{doc.get('info', {}).get('version')}', "
                         f"but the service is {version}")
    try:
        from openapi_spec_validator import validate as official
    except ImportError:
        return "own rules (openapi_spec_validator is not installed)"
    try:
        official(doc)
    except Exception as e:  # its exception classes differ from version to version
        fail("document", f"openapi_spec_validator: {shorten(str(e).splitlines()[0])}")
    return "own rules and openapi_spec_validator"


# ---------------------------------------------------------------- the answers

class Spec:
    def __init__(self, doc):
        self.doc = doc

    def resolve(self, where):
        """The object at pointer `where` (a response, parameter, header or request body,
        never a schema), following Reference Objects; and its own pointer."""
        node = pointer(self.doc, where)
        while isinstance(node, dict) and "$ref" in node:
            where = node["$ref"]
            node = pointer(self.doc, where)
        return node, where

    def validator(self, schema_where):
        """A validator of the schema at `schema_where`, resolving $ref in the document."""
        root = dict(self.doc)
        root["$ref"] = schema_where
        return jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())

    def operation(self, path, method, outside=None, status=None):
        """(operation pointer, or None; the response pointer for a request that has no
        operation: unknown path, another method, or one of OUTSIDE's at that status)."""
        if outside:
            return None, f"#/{outside}/{status}"
        item = self.doc["paths"].get(path)
        if item is None:  # a path with a parameter: /workbench/{asset}
            for templ in self.doc["paths"]:
                pattern = "^" + "".join("[^/]+" if part.startswith("{") else re.escape(part)
                                        for part in re.split(r"({[^}]+})", templ)) + "$"
                if "{" in templ and re.match(pattern, path):
                    path, item = templ, self.doc["paths"][templ]
                    break
        if item is None:
            return None, "#/x-elig-unknown-path"
        if method.lower() not in item:
            return None, "#/x-elig-other-method"
        return f"#/paths/{escape(path)}/{method.lower()}", None


def errors_of(validator, value):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {shorten(e.message)}"
            for e in validator.iter_errors(value)]


def shorten(message, most=300):
    return message if len(message) <= most else message[:most] + "..."


def media_essence(content_type):
    return content_type.split(";")[0].strip().lower()


def media_parameters(content_type):
    """The parameters of a media type, as a set of "name=value" (lower-case names)."""
    out = set()
    for p in content_type.split(";")[1:]:
        name, _, value = p.strip().partition("=")
        out.add(name.lower() + "=" + value.strip().strip('"'))
    return out


def check_query(spec, op_where, query, answer_status, answer_code):
    """Whether the request's query is valid under the documented parameters, compared
    with what the service made of it."""
    op, _ = spec.resolve(op_where)
    documented = {}
    for i, p in enumerate(op.get("parameters", [])):
        param, where = spec.resolve(f"{op_where}/parameters/{i}")
        documented[param["name"]] = (param, where)
    problems = []
    seen = set()
    for part in filter(None, query.split("&")):
        name, eq, value = part.partition("=")
        name = urllib.parse.unquote(name)
        if name in seen:  # no parameter here is an array: one value each
            problems.append(f"parameter '{name}' is given twice")
        seen.add(name)
        if name not in documented:
            problems.append(f"parameter '{name}' is not documented")
            continue
        param, where = documented[name]
        if not eq and not param.get("allowEmptyValue"):
            continue  # a bare name: the service takes its default
        problems += [f"parameter '{name}': {m}" for m in errors_of(
            spec.validator(where + "/schema"), urllib.parse.unquote(value))]
    if 200 <= answer_status < 300 and problems:
        return [f"the service took the query, the document does not: {'; '.join(problems)}"]
    if answer_status == 400 and answer_code == "bad_parameter" and not problems:
        return ["the service refused a parameter (bad_parameter) that the document allows"]
    return []


def check_answer(spec, req, status, headers, body, covered):
    """What is wrong with one answer, as a list of messages."""
    out = []
    target = urllib.parse.urlsplit(req["target"])
    outside = req.get("outside")
    op_where, fallback = spec.operation(target.path, req["method"], outside, status)
    if op_where:
        op, _ = spec.resolve(op_where)
        covered.setdefault(op["operationId"], set())
        responses = op["responses"]
        key = str(status) if str(status) in responses else \
            f"{str(status)[0]}XX" if f"{str(status)[0]}XX" in responses else \
            "default" if "default" in responses else None
        if key is None:
            return [f"status {status} is not documented for {op['operationId']}"]
        covered[op["operationId"]].add(key)
        response, resp_where = spec.resolve(f"{op_where}/responses/{key}")
    elif outside:
        if str(status) not in spec.doc.get(outside, {}):
            return [f"status {status} is not documented in {outside}"]
        response, resp_where = spec.resolve(fallback)
        covered.setdefault(outside, set()).add(str(status))
    else:
        response, resp_where = spec.resolve(fallback)
        covered.setdefault(fallback, set()).add(str(status))
        expected = {"#/x-elig-unknown-path": 404, "#/x-elig-other-method": 405}[fallback]
        if status != expected:
            return [f"status {status}, but {fallback[2:]} says {expected}"]

    # headers: the documented ones, and none of the service's own that is not
    documented = {h.lower(): h for h in response.get("headers", {})}
    for name in response.get("headers", {}):
        header, where = spec.resolve(f"{resp_where}/headers/{escape(name)}")
        value = headers.get(name.lower())
        if value is None:
            if header.get("required"):
                out.append(f"header {name} is missing")
            continue
        out += [f"header {name}: {m}"
                for m in errors_of(spec.validator(where + "/schema"), value)]
    for name in headers:
        if (name.startswith("elig-") or name in OWN_HEADERS) and name not in documented:
            out.append(f"header {name} is not documented for status {status}")

    # the body
    content = response.get("content")
    code = None  # the error's code, for the parameters
    if req["method"] == "HEAD" or not content:
        if body:
            out.append(f"a body of {len(body)} bytes where the document has none")
    else:
        ctype = headers.get("content-type", "")
        if not ctype and response.get("x-elig-no-content-type") and len(content) == 1:
            ctype = next(iter(content))  # documented as sent without one: its only type
        media = {media_essence(k): k for k in content}
        mt = media.get(media_essence(ctype))
        if mt is None:
            out.append(f"Content-Type '{ctype}' is not one of {', '.join(content)}")
        elif not media_parameters(mt) <= media_parameters(ctype):
            out.append(f"Content-Type '{ctype}' lacks the parameters of '{mt}'")
        else:
            body_problems, code = check_body(spec, f"{resp_where}/content/{escape(mt)}/schema",
                                             mt, body.decode("utf-8"))
            out += body_problems
            if op_where:
                out += check_request_body(spec, op_where, req, status, ctype)
    if op_where:
        out += check_query(spec, op_where, target.query, status, code)
    return out


def check_body(spec, schema_where, media_type, text):
    """What is wrong with a body of that media type, and the code of the error it holds."""
    validator = spec.validator(schema_where)
    if media_type in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines",
                      "application/json-lines"):
        out = [] if not text or text.endswith("\n") else \
            ["the JSON Lines body does not end with a newline"]
        for n, line in enumerate(text.split("\n")[:-1], 1):
            out += [f"line {n}: {m}" for m in errors_of(validator, json.loads(line))]
        return out, None
    if media_type == "application/json":
        value = json.loads(text)
        code = value["error"].get("code") if isinstance(value, dict) and \
            isinstance(value.get("error"), dict) else None
        return errors_of(validator, value), code
    return errors_of(validator, text), None


def check_request_body(spec, op_where, req, status, answer_type):
    """A single record the service evaluated (200, application/json, missing not
    undetermined) must be valid under the documented request body."""
    if status != 200 or not req["body"] or media_essence(answer_type) != "application/json" \
            or "undetermined" in req["target"]:
        return []
    body_where = op_where + "/requestBody"
    sent = media_essence(req["headers"].get("Content-Type", "application/json"))
    body, body_where = spec.resolve(body_where)
    if sent not in body["content"]:
        return [f"the request's Content-Type '{sent}' is not documented"]
    if sent != "application/json":  # a rule file's text, a register: no schema to hold
        return []
    validator = spec.validator(f"{body_where}/content/{escape(sent)}/schema")
    return [f"the record the service evaluated is not valid under the request body: {m}"
            for m in errors_of(validator, json.loads(req["body"]))]


def exchange(port, req):
    """Sends one request; (status, headers with lower-case names, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        if req.get("raw") is not None:  # bytes as they are: framing http.client would not send
            conn.connect()
            if req.get("first"):  # a good request first, its answer read and set aside
                conn.sock.sendall(req["first"])
                first = http.client.HTTPResponse(conn.sock, method="GET")
                first.begin()
                first.read()
            conn.sock.sendall(req["raw"])
            res = http.client.HTTPResponse(conn.sock, method=req["method"])
            res.begin()
            data = res.read()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, data
        target = req["target"].encode("utf-8").decode("latin-1")
        headers = dict(req["headers"])
        body = req["body"]
        conn.putrequest(req["method"], target, skip_accept_encoding=True,
                        skip_host="Host" in headers)
        chunked = headers.get("Transfer-Encoding") == "chunked"
        if body is not None and not chunked and "Content-Length" not in headers:
            headers["Content-Length"] = str(len(body))
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body is not None and chunked:
            for i in range(0, len(body), 8192):
                piece = body[i:i + 8192]
                conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            conn.send(b"0\r\n\r\n")
        elif body is not None:
            conn.send(body)
        res = conn.getresponse()
        data = res.read()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, data
    finally:
        conn.close()


def workbench_csrfs(ports, tokens):
    """The X-Elig-CSRF of each workbench server, from its session (a token of scope rules
    where it needs one)."""
    out = {}
    for server in ("workbench", "wbsecured"):
        if server not in ports:
            continue
        headers = {"Authorization": "Bearer " + tokens["rules"]} if server == "wbsecured" else {}
        _, _, body = exchange(int(ports[server]), dict(method="GET", target="/v1/workbench/session",
                                                       headers=headers, body=None))
        out[server] = json.loads(body)["csrf"]
    return out


def with_csrf(req, csrf):
    """The request with the server's CSRF token where it says {csrf}."""
    if CSRF not in req["headers"].values():
        return req
    return dict(req, headers={k: csrf if v == CSRF else v for k, v in req["headers"].items()})


def wait_for_no_job(port, tokens):
    """Waits (at most 60 s) until the server runs no impact job: one at a time."""
    headers = {"Authorization": "Bearer " + tokens.get("impact", "")}
    for _ in range(600):
        _, _, body = exchange(port, dict(method="GET", target="/v1/workbench/impact",
                                         headers=headers, body=None))
        if json.loads(body)["job"]["state"] != "running":
            return
        time.sleep(0.1)


def break_reload(ports, pid, rule_file):
    """Makes the next reload of server national fail, and waits until it has."""
    with open(rule_file, "a", encoding="utf-8") as f:
        f.write("param broken money by year {\n")
    os.kill(pid, signal.SIGHUP)
    for _ in range(200):
        _, _, body = exchange(ports["national"], dict(method="GET", target="/healthz",
                                                      headers={}, body=None))
        if json.loads(body).get("last_reload") == "failed":
            return True
        time.sleep(0.05)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("version")
    ap.add_argument("--server", action="append", default=[], metavar="NAME=PORT")
    ap.add_argument("--golden", metavar="DIR")
    ap.add_argument("--break-reload", metavar="PID:FILE")
    ap.add_argument("--token", action="append", default=[], metavar="SCOPE=TOKEN")
    args = ap.parse_args()
    failures = []

    def fail(name, message):
        failures.append((name, message))
        print(f"FAIL: openapi/{name}: {message}")

    try:
        doc = load_without_duplicates(args.spec)
    except ValueError as e:
        fail("document", str(e))
        return 1
    how = check_document(doc, args.version, fail)
    if failures:
        print("openapi: the document is wrong; no answer checked against it")
        print(f"openapi: 0 passed, {len(failures)} failed")
        return 1
    spec = Spec(doc)
    ports = dict(s.split("=", 1) for s in args.server)
    tokens = dict(t.split("=", 1) for t in args.token)
    csrfs = workbench_csrfs(ports, tokens)
    todo = requests() + derived_requests(doc, tokens) + \
        (golden_requests(args.golden) if args.golden else [])
    covered = {}
    checked = 0

    def run(batch):
        nonlocal checked
        for req in batch:
            if req["server"] not in ports:
                fail(req["name"], f"no server '{req['server']}' was given")
                continue
            port = int(ports[req["server"]])
            if req.get("idle"):
                wait_for_no_job(port, tokens)
            req = with_csrf(req, csrfs.get(req["server"], ""))
            try:
                status, headers, body = exchange(port, req)
            except (OSError, http.client.HTTPException) as e:
                fail(req["name"], f"no answer: {e}")
                continue
            checked += 1
            wanted = req["status"] if isinstance(req["status"], tuple) else (req["status"],)
            if req["status"] is not None and status not in wanted:
                fail(req["name"], f"answered {status}, not the {req['status']} it is meant "
                                  f"to provoke: {body[:200]!r}")
            try:
                problems = check_answer(spec, req, status, headers, body, covered)
            except (ValueError, UnicodeDecodeError) as e:
                problems = [f"the body cannot be read: {e}"]
            for p in problems:
                fail(req["name"], f"{req['method']} {req['target']} -> {status}: {p}")

    run(todo)
    if args.break_reload:
        pid, rule_file = args.break_reload.split(":", 1)
        if break_reload(ports, int(pid), rule_file):
            run(after_failed_reload())
        else:
            fail("reload", "the reload of broken rules was not reported failed")

    # the other way round: every operation exercised, every documented status provoked
    for item in doc["paths"].values():
        for method, op in item.items():
            if method not in METHODS:
                continue
            name = op["operationId"]
            if name not in covered:
                fail(name, "no request exercised this operation")
                continue
            for status in op["responses"]:
                # the workbench's 500 and 503: its file system failing, its memory running out
                if status not in covered[name] and (name, status) not in UNPROVOKED and \
                        not (status in ("500", "503") and "workbench" in op.get("tags", [])):
                    fail(name, f"no request provoked the documented status {status}")
    for fallback in ("#/x-elig-unknown-path", "#/x-elig-other-method"):
        if fallback not in covered:
            fail(fallback[2:], "no request provoked it")
    for outside in OUTSIDE:
        for status in doc.get(outside, {}):
            if status not in covered.get(outside, set()) and \
                    (outside, status) not in UNPROVOKED:
                fail(outside, f"no request provoked the documented status {status}")
    failed = {name for name, _ in failures}
    print(f"openapi: the document checked by {how}; {checked} answers checked against it")
    print(f"openapi: {max(checked - len(failed), 0)} passed, {len(failed)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
