# pg_setup.sh -- what the PostgreSQL tests share, sourced after tests/cli/setup.sh:
#   suite=NAME; . "$srcdir/tests/cli/setup.sh"; . "$srcdir/tests/postgresql/pg_setup.sh"
#
# PostgreSQL 15 looks for extensions under its own share folder, which a test must not touch.
# So the test makes a PostgreSQL of its own in $tmp/pg: the server's programs copied (they
# find their share and library folders relative to where they are), every other file of the
# installation linked, and the extension built here installed into it.  Servers are made
# with initdb in $tmp, listen on a free loopback port and a socket in $tmp, and are stopped
# when the script ends, whatever happens.  Nothing outside $tmp is written.
#
#   pg_start NAME       initdb + start; sets NAME_port; psql_NAME runs psql on it
#   pg_stop NAME        stops it (also done at the end)
# Skips (77) when PostgreSQL 15's server or the built extension is not there.
PG_BIN=$(pg_config --bindir 2>/dev/null || true)
PG_SHARE=$(pg_config --sharedir 2>/dev/null || true)
PG_LIB=$(pg_config --pkglibdir 2>/dev/null || true)
EXT=${ELIG_PG_EXTENSION:-$(pwd)/postgresql}
if [ ! -x "$PG_BIN/postgres" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "SKIP: PostgreSQL 15's server is not installed (./bootstrap installs it)"; exit 77
fi
if [ ! -f "$EXT/elig.so" ]; then
  echo "SKIP: the extension is not built (./configure --with-postgresql)"; exit 77
fi

# The server refuses to run as root: as root (CI), it runs as an unprivileged user of the
# machine (postgres, which Debian's package makes, or nobody), owning only what it writes
# in $tmp.
as_server=""
if [ "$(id -u)" = 0 ]; then
  server_user=postgres
  id "$server_user" >/dev/null 2>&1 || server_user=nobody
  as_server="runuser -u $server_user --"
  chmod 755 "$tmp"
fi
pg_root=$tmp/pg
mkdir -p "$pg_root$PG_BIN" "$pg_root$PG_LIB" "$pg_root$PG_SHARE/extension"
for p in postgres initdb pg_ctl; do cp "$PG_BIN/$p" "$pg_root$PG_BIN/"; done
# (an elig installed on the machine is not linked: the tree's is copied in its place, and a
# copy onto a link would write through it into the machine's folders)
for f in "$PG_LIB"/*; do
  case ${f##*/} in elig.so) ;; *) ln -s "$f" "$pg_root$PG_LIB/" ;; esac
done
for f in "$PG_SHARE"/*; do
  [ "$(basename "$f")" = extension ] || ln -s "$f" "$pg_root$PG_SHARE/"
done
for f in "$PG_SHARE"/extension/*; do
  case ${f##*/} in elig.control | elig--*) ;; *) ln -s "$f" "$pg_root$PG_SHARE/extension/" ;; esac
done
cp "$EXT/elig.so" "$pg_root$PG_LIB/"
cp "$EXT/elig.control" "$EXT"/elig--*.sql "$pg_root$PG_SHARE/extension/"
# the library the extension is linked to: the tree's
export LD_LIBRARY_PATH="${ELIG_LIBDIR:-$(pwd)/.libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# and its message catalogues (nothing is installed): the tree's
export ELIG_LOCALEDIR="${ELIG_LOCALEDIR:-$(pwd)/tests/locale}"

pg_servers=""
pg_cleanup() {
  for d in $pg_servers; do
    $as_server "$pg_root$PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$tmp"
}
trap pg_cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "$suite: keeping $tmp"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start() {
  name=$1
  data=$tmp/$name.run/data
  port=$(free_port)
  mkdir -p "$tmp/$name.run"
  [ -n "$as_server" ] && chown "$server_user" "$tmp/$name.run"
  $as_server env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$pg_root$PG_BIN/initdb" -D "$tmp/$name.run/data" \
    -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$tmp/$name.initdb.log" 2>&1 ||
    { echo "FAIL: $suite: initdb $name:"; cat "$tmp/$name.initdb.log"; exit 1; }
  pg_servers="$pg_servers $data"
  $as_server env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" ELIG_LOCALEDIR="$ELIG_LOCALEDIR" \
    "$pg_root$PG_BIN/pg_ctl" -D "$data" -w \
    -l "$tmp/$name.run/log" -o "-c listen_addresses=127.0.0.1 -c port=$port \
    -c unix_socket_directories=$tmp/$name.run -c fsync=off" start >/dev/null ||
    { echo "FAIL: $suite: the server $name did not start:"; cat "$tmp/$name.run/log"; exit 1; }
  eval "${name}_port=$port"
}

pg_stop() {
  $as_server "$pg_root$PG_BIN/pg_ctl" -D "$tmp/$1.run/data" -m fast stop >/dev/null 2>&1
}

# psql_on PORT [ARGS]: psql as postgres on the server at PORT, quiet, stopping at an error
psql_on() {
  port=$1; shift
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}
