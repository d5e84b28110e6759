#!/usr/bin/env bash
# Local registries for the tests (docker-registry from Debian, distribution 2.8):
#   127.0.0.1:5000  plain http, no auth, deletes enabled
#   127.0.0.1:5001  https (cert for 127.0.0.1 and localhost signed by a local CA),
#                   htpasswd basic auth tsmanuser/tsmanpass, deletes enabled
#
# usage: hack/registry.sh start|stop|restart|status|env
#
# State (TSMAN_REGISTRY_DIR, default /var/tmp/tsman-registry):
#   plain/{config.yml,storage/,registry.log,registry.pid}   the :5000 registry
#   tls/{config.yml,storage/,registry.log,registry.pid}     the :5001 registry
#   certs/ca.crt                     CA that signed the :5001 certificate
#   certs/server.{crt,key}           the :5001 certificate and key
#   certs.d/127.0.0.1:5001/ca.crt    for --cert-dir (also certs.d/localhost:5001/)
#   auth/htpasswd                    bcrypt htpasswd file of the :5001 registry
#   auth/auth.json                   containers-auth.json with the :5001 credentials
# Works as root or as any user; everything a client needs is world-readable.
set -euo pipefail

STATE=${TSMAN_REGISTRY_DIR:-/var/tmp/tsman-registry}
HOST=127.0.0.1
PLAIN_PORT=5000
TLS_PORT=5001
REG_USER=tsmanuser
REG_PASS=tsmanpass

die() { echo "registry.sh: $*" >&2; exit 1; }

command -v docker-registry >/dev/null || die "docker-registry not installed (hack/install-deps.sh)"

ensure_dirs() {
    umask 022
    mkdir -p "$STATE" "$STATE/plain/storage" "$STATE/tls/storage" "$STATE/certs" \
        "$STATE/certs.d/$HOST:$TLS_PORT" "$STATE/certs.d/localhost:$TLS_PORT" "$STATE/auth"
    chmod 0755 "$STATE"
}

ensure_certs() {
    local c=$STATE/certs
    # Regenerate everything when the server cert is missing or lacks the IP SAN:
    # Go clients ignore the CN and need 127.0.0.1 in subjectAltName.
    if [ -s "$c/ca.crt" ] && [ -s "$c/server.crt" ] && [ -s "$c/server.key" ] &&
        openssl x509 -in "$c/server.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:$HOST" &&
        openssl x509 -in "$c/server.crt" -noout -checkend 86400 >/dev/null 2>&1; then
        :
    else
        echo "registry.sh: generating CA and server certificate in $c"
        rm -f "$c"/ca.* "$c"/server.*
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
            -keyout "$c/ca.key" -out "$c/ca.crt" -subj "/CN=tsman test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -new -newkey rsa:2048 -nodes -sha256 \
            -keyout "$c/server.key" -out "$c/server.csr" -subj "/CN=$HOST" 2>/dev/null
        cat >"$c/server.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$HOST,DNS:localhost
EXT
        openssl x509 -req -sha256 -days 3650 -in "$c/server.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" \
            -CAcreateserial -extfile "$c/server.ext" -out "$c/server.crt" 2>/dev/null
        rm -f "$c/server.csr" "$c/server.ext" "$c/ca.srl"
    fi
    chmod 0600 "$c/ca.key" "$c/server.key"
    chmod 0644 "$c/ca.crt" "$c/server.crt"
    for d in "$STATE/certs.d/$HOST:$TLS_PORT" "$STATE/certs.d/localhost:$TLS_PORT"; do
        cmp -s "$c/ca.crt" "$d/ca.crt" || install -m 0644 "$c/ca.crt" "$d/ca.crt"
    done
}

ensure_auth() {
    local a=$STATE/auth
    if ! [ -s "$a/htpasswd" ] || ! htpasswd -vb "$a/htpasswd" "$REG_USER" "$REG_PASS" >/dev/null 2>&1; then
        htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$a/htpasswd.tmp"
        mv "$a/htpasswd.tmp" "$a/htpasswd"
    fi
    chmod 0644 "$a/htpasswd"
    local b64
    b64=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)
    printf '{\n  "auths": {\n    "%s:%s": { "auth": "%s" },\n    "localhost:%s": { "auth": "%s" }\n  }\n}\n' \
        "$HOST" "$TLS_PORT" "$b64" "$TLS_PORT" "$b64" >"$a/auth.json"
    chmod 0644 "$a/auth.json"
}

write_configs() {
    # No blobdescriptor cache: test/images/build.mjs damages blobs on disk behind the
    # registry's back and the registry must then serve what is on disk.
    cat >"$STATE/plain/config.yml" <<CFG
version: 0.1
log:
  level: info
  fields:
    service: tsman-registry-plain
storage:
  filesystem:
    rootdirectory: $STATE/plain/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $HOST:$PLAIN_PORT
  secret: tsman-test-registry-plain
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
CFG
    cat >"$STATE/tls/config.yml" <<CFG
version: 0.1
log:
  level: info
  fields:
    service: tsman-registry-tls
storage:
  filesystem:
    rootdirectory: $STATE/tls/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $HOST:$TLS_PORT
  secret: tsman-test-registry-tls
  tls:
    certificate: $STATE/certs/server.crt
    key: $STATE/certs/server.key
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: tsman-registry
    path: $STATE/auth/htpasswd
health:
  storagedriver:
    enabled: false
CFG
}

# pid of a running instance ($1 = plain|tls), or nothing
running_pid() {
    local pidfile=$STATE/$1/registry.pid pid
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "docker-registry serve $STATE/$1/config.yml"; then
        echo "$pid"
    fi
}

http_code() { # $1 = plain|tls
    if [ "$1" = plain ]; then
        curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$HOST:$PLAIN_PORT/v2/" || true
    else
        curl -s -o /dev/null -m 2 -w '%{http_code}' --cacert "$STATE/certs/ca.crt" "https://$HOST:$TLS_PORT/v2/" || true
    fi
}

port_of() { if [ "$1" = plain ]; then echo $PLAIN_PORT; else echo $TLS_PORT; fi; }
want_code() { if [ "$1" = plain ]; then echo 200; else echo 401; fi; }

start_one() {
    local name=$1 pid port
    port=$(port_of "$name")
    pid=$(running_pid "$name")
    if [ -n "$pid" ]; then
        echo "registry.sh: $name registry already running (pid $pid) on $HOST:$port"
        return 0
    fi
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
        die "port $port is already in use by another process: $(ss -Hltnp "sport = :$port" 2>/dev/null | awk '{print $NF}')"
    fi
    # setsid: a new session, so the registry outlives the calling shell and its job control.
    setsid docker-registry serve "$STATE/$name/config.yml" </dev/null >>"$STATE/$name/registry.log" 2>&1 &
    pid=$!
    echo "$pid" >"$STATE/$name/registry.pid"
    local want code i
    want=$(want_code "$name")
    for i in $(seq 1 100); do
        code=$(http_code "$name")
        [ "$code" = "$want" ] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$STATE/$name/registry.pid"
            tail -n 20 "$STATE/$name/registry.log" >&2
            die "$name registry exited during startup (log: $STATE/$name/registry.log)"
        fi
        sleep 0.1
    done
    [ "$code" = "$want" ] || die "$name registry on :$port answers /v2/ with '$code', expected $want (log: $STATE/$name/registry.log)"
    echo "registry.sh: started $name registry (pid $pid) on $HOST:$port"
}

stop_one() {
    local name=$1 pid i
    pid=$(running_pid "$name")
    if [ -z "$pid" ]; then
        rm -f "$STATE/$name/registry.pid"
        echo "registry.sh: $name registry not running"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$STATE/$name/registry.pid"
    echo "registry.sh: stopped $name registry (pid $pid)"
}

status_one() {
    local name=$1 pid port code
    port=$(port_of "$name")
    pid=$(running_pid "$name")
    code=$(http_code "$name")
    if [ -n "$pid" ]; then
        echo "$name: running pid $pid on $HOST:$port (/v2/ -> $code)"
        return 0
    fi
    echo "$name: stopped (port $port /v2/ -> ${code:-none})"
    return 1
}

case "${1:-}" in
start)
    ensure_dirs
    ensure_certs
    ensure_auth
    if [ -z "$(running_pid plain)" ] || [ -z "$(running_pid tls)" ]; then
        write_configs
    fi
    start_one plain
    start_one tls
    ;;
stop)
    stop_one plain
    stop_one tls
    ;;
restart)
    "$0" stop
    exec "$0" start
    ;;
status)
    rc=0
    status_one plain || rc=1
    status_one tls || rc=1
    echo "state: $STATE"
    exit $rc
    ;;
env)
    # for eval "$(hack/registry.sh env)"
    echo "export TSMAN_REGISTRY_DIR='$STATE'"
    echo "export TSMAN_REGISTRY='$HOST:$PLAIN_PORT'"
    echo "export TSMAN_REGISTRY_TLS='$HOST:$TLS_PORT'"
    echo "export TSMAN_REGISTRY_CA='$STATE/certs/ca.crt'"
    echo "export TSMAN_REGISTRY_CERTDIR='$STATE/certs.d/$HOST:$TLS_PORT'"
    echo "export TSMAN_REGISTRY_AUTHFILE='$STATE/auth/auth.json'"
    echo "export TSMAN_REGISTRY_USER='$REG_USER'"
    echo "export TSMAN_REGISTRY_PASS='$REG_PASS'"
    ;;
*)
    echo "usage: $0 start|stop|restart|status|env" >&2
    exit 2
    ;;
esac
