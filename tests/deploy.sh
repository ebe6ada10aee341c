#!/bin/sh
# deploy.sh -- the deployment examples (doc/examples/deploy) are what doc/api.md shows, agree
# with each other, and are accepted by the tools that will read them.
#
#   shown       each file is, verbatim, a code block of doc/api.md (section 2.14)
#   consistent  nginx's client_max_body_size is the unit's --max-body, nginx passes to the
#               address the unit listens on, LimitNOFILE covers --max-connections + 64, and
#               systemd waits longer than the service's drain (10 s) before SIGKILL
#   sandboxed   the unit has each protection doc/api.md names
#   systemd     `systemd-analyze verify` accepts the unit, and `systemd-analyze security
#               --offline` rates its exposure 1.5 or less (skipped without systemd-analyze)
#   nginx       `nginx -t` accepts the configuration, in a prefix of its own under a
#               temporary folder, with certificates made there and each listen address
#               made a Unix socket there, for nginx -t binds them (skipped without nginx
#               or openssl; NGINX_PROGRAM names another nginx binary: nginx itself reads
#               NGINX)
#
# Environment (as make check sets it): ELIG, srcdir.
suite=deploy
. "${srcdir:-.}/tests/cli/setup.sh"
cd "$srcdir" || exit 99
unit=doc/examples/deploy/elig.service
proxy=doc/examples/deploy/nginx.conf

# shown: the fenced block of doc/api.md that begins with the file's first line
shown() {
  first=$(head -1 "$1")
  awk -v first="$first" '
    /^```/ { if (inside) exit; open = !open; start = open; next }
    start && $0 == first { inside = 1 }
    { start = 0 }
    inside { print }' doc/api.md > "$tmp/shown"
  cmp -s "$tmp/shown" "$1"
}
check unit-shown-in-api-md shown "$unit"
check nginx-shown-in-api-md shown "$proxy"

# consistent
option() { # option NAME: the value of --NAME on the unit's command line
  sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$unit" | sed -n 's/^ExecStart=//p' |
    awk -v o="--$1" '{
      for (i = 1; i <= NF; i++)
        if ($i == o) print $(i + 1); else if (index($i, o "=") == 1) print substr($i, length(o) + 2)
    }'
}
body=$(option max-body | tr 'KMG' 'kmg')
check nginx-body-limit-is-max-body grep -q "^client_max_body_size $body;" "$proxy"
check nginx-passes-to-the-service grep -q "^    server $(option listen);" "$proxy"
connections=$(option max-connections); connections=${connections:-4096}
nofile=$(sed -n 's/^LimitNOFILE=//p' "$unit")
check nofile-covers-connections [ "$nofile" -ge $((connections + 64)) ]
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s*$/\1/p' "$unit")
check stop-waits-longer-than-drain [ "${stop:-0}" -gt 10 ]

# sandboxed
for directive in DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
  NoNewPrivileges=yes 'ReadOnlyPaths=/etc/elig/rules' 'RestrictAddressFamilies=AF_INET' \
  SystemCallFilter=@system-service MemoryMax= LimitNOFILE= \
  'ExecReload=/bin/kill -HUP $MAINPID' KillSignal=SIGTERM; do
  check "unit-has-$directive" grep -q -F "$directive" "$unit"
done

# systemd: the unit with this tree's elig, which systemd-analyze wants to find
if command -v systemd-analyze >/dev/null 2>&1; then
  sed "s|/usr/local/bin/elig|$ELIG|" "$unit" > "$tmp/elig.service"
  check systemd-verify systemd-analyze verify --man=no "$tmp/elig.service"
  exposure() {
    systemd-analyze security --offline=yes --threshold=15 "$tmp/elig.service" \
      >"$tmp/exposure" 2>&1 || { grep -e '^✗' -e '^- ' -e 'Overall' "$tmp/exposure"; return 1; }
  }
  check systemd-exposure exposure
else
  echo "deploy: no systemd-analyze: the unit is not verified"
fi

# nginx: the configuration inside a main one, everything nginx writes in $tmp
nginx=${NGINX_PROGRAM:-nginx}
if command -v "$nginx" >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1; then
  mkdir -p "$tmp/nginx/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=elig.example.org -keyout "$tmp/nginx/tls/server.key" \
    -out "$tmp/nginx/tls/server.crt" 2>/dev/null
  cp "$tmp/nginx/tls/server.crt" "$tmp/nginx/tls/services-ca.crt"
  cp "$tmp/nginx/tls/server.crt" "$tmp/nginx/tls/operators-ca.crt"
  n=$tmp/nginx
  sed "s|/etc/elig/tls/|$n/tls/|" "$proxy" |
    awk -v n="$n" '$1 == "listen" { sub(/listen [^ ;]*/, "listen unix:" n "/listen" ++k ".sock") }
      { print }' > "$n/elig.conf"
  cat > "$n/nginx.conf" <<EOF
pid $n/nginx.pid;
error_log $n/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $n/body;
    proxy_temp_path $n/proxy;
    fastcgi_temp_path $n/fastcgi;
    uwsgi_temp_path $n/uwsgi;
    scgi_temp_path $n/scgi;
    include $n/elig.conf;
}
EOF
  check nginx-accepts "$nginx" -t -q -p "$n/" -e "$n/error.log" -c "$n/nginx.conf"
else
  echo "deploy: no nginx (or no openssl): the proxy configuration is not tried"
fi
finish
