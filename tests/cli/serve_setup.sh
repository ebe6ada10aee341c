# serve_setup.sh -- what the scripts that test `elig serve` share, sourced after setup.sh:
#   suite=NAME; . "$srcdir/tests/cli/setup.sh"; . "$srcdir/tests/cli/serve_setup.sh"
# It skips the suite (77) without curl, kills every server it started when the script ends,
# whatever happens, and gives:
#   start NAME ARGS...  starts `elig serve --listen 127.0.0.1:0 $SERVE_ARGS ARGS` with its log in
#                       $tmp/NAME.log; sets NAME_port and NAME_pid once it listens
#   stop NAME           SIGTERM; checks the server exits 0 and logs "stopped"
#   listening NAME PID  waits for a server started otherwise (as start does)
#   hash_of PORT        the rule-set hash the server at PORT answers with
# KEEP=1 keeps $tmp for a look afterwards.
if ! command -v curl >/dev/null 2>&1; then
  echo "SKIP: curl is not installed (./bootstrap installs it)"; exit 77
fi
SLOWCLIENT=${SLOWCLIENT:-$(pwd)/tests/cli/slowclient}
RAWHTTP=${RAWHTTP:-$(pwd)/tests/cli/rawhttp}
servers=""
serve_cleanup() {
  for pid in $servers; do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap serve_cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "$suite: keeping $tmp"

start() {
  name=$1; shift
  # shellcheck disable=SC2086 # SERVE_ARGS: options every server of the suite takes
  ${ELIG_WRAPPER:-} "$ELIG" serve --listen 127.0.0.1:0 ${SERVE_ARGS:-} "$@" 2>"$tmp/$name.log" &
  listening "$name" $!
}

# listening NAME PID: waits until the server PID logs in $tmp/NAME.log that it listens (fails
# the suite when it dies first or takes 30 s); sets NAME_port and NAME_pid.
listening() {
  name=$1 pid=$2
  servers="$servers $pid"
  i=0
  while ! grep -q '"event":"listening"' "$tmp/$name.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "FAIL: $suite/$name: the server did not start:"; cat "$tmp/$name.log"; exit 1
    fi
    sleep 0.05
  done
  port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/$name.log")
  eval "${name}_port=$port; ${name}_pid=$pid"
}

stop() {
  eval "pid=\$${1}_pid"
  kill -TERM "$pid"
  wait "$pid"; status=$?
  check "$1-stops-on-sigterm" [ "$status" = 0 ]
  check "$1-logs-stopped" grep -q '"event":"stopped"' "$tmp/$1.log"
}

hash_of() {
  curl -s "http://127.0.0.1:$1/healthz" | sed -n 's/.*"rules": "\(sha256:[0-9a-f]*\)".*/\1/p'
}
