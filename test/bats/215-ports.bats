#!/usr/bin/env bats
# Published ports in depth: bytes intact both ways (half-close included) through -p IP:HOST:CTR
# and ranges, UDP sessions per client, a taken port refused, and (rootless) the forwarder
# itself: a small compiled process, never Node, that goes with its container however the
# container goes. Root publishes through nftables DNAT with conmon holding the host ports; the
# forwarder tests are rootless only. All traffic stays on this machine.

load helpers

# N consecutive host ports free for both TCP and UDP on every address
free_ports() {
    node -e '
        const net = require("net"), dgram = require("dgram"), n = Number(process.argv[1]);
        const tcp = (p) => new Promise((ok) => { const s = net.createServer(); s.once("error", () => ok(false)); s.listen(p, () => s.close(() => ok(true))); });
        const udp = (p) => new Promise((ok) => { const s = dgram.createSocket("udp6"); s.once("error", () => ok(false)); s.bind(p, () => s.close(() => ok(true))); });
        (async () => {
            for (;;) {
                const base = 20000 + Math.floor(Math.random() * 30000);
                let good = true;
                for (let p = base; p < base + n && good; p++) good = (await tcp(p)) && (await udp(p));
                if (good) { console.log(base); return; }
            }
        })();' "${1:-1}"
}

fetch() {
    local i
    for i in $(seq 1 50); do
        if out=$(curl -sf --max-time 10 "$1"); then echo "$out"; return 0; fi
        sleep 0.2
    done
    echo "fetch $1 failed" >&2; return 1
}

# send SIZE random bytes to 127.0.0.1:PORT, half-close, print the reply (retries while it starts)
send_and_read() {
    node -e '
        const net = require("net"), crypto = require("crypto");
        const [port, size] = process.argv.slice(1).map(Number);
        const data = crypto.randomBytes(size);
        console.log("sent " + crypto.createHash("sha256").update(data).digest("hex"));
        let tries = 0;
        (function go() {
            const s = net.connect(port, "127.0.0.1");
            let out = "";
            s.on("connect", () => s.end(data));
            s.on("data", (d) => { out += d; });
            s.on("error", () => { if (++tries < 50) setTimeout(go, 200); else process.exit(1); });
            s.on("close", () => { if (out) console.log(out.trim()); else if (++tries < 50) setTimeout(go, 200); else process.exit(1); });
        })();' "$1" "$2"
}

# alive PID: the process exists and is not a zombie (PID 1 here reaps late)
alive() { [ -r /proc/$1/stat ] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' /proc/$1/stat; }

# the forwarder of container $1 (rootless), by the namespace path on its command line
forwarder_pid() { pgrep -u "$(id -u)" -f "tsman-portfwd .*/netns/$1( |$)" | head -1; }

wait_gone() {
    local i
    for i in $(seq 1 50); do alive "$1" || return 0; sleep 0.1; done
    echo "process $1 still there: $(cat /proc/$1/cmdline | tr '\0' ' ')" >&2; return 1
}

setup_file() {
    export UDPECHO=$BATS_FILE_TMPDIR/udpecho
    gcc -static -O2 -o "$UDPECHO" "$BATS_TEST_DIRNAME/data/udpecho.c" 2>/dev/null || true
}

@test "tcp: -p IP:HOST:CTR with ranges and -p HOST:CTR; bytes intact both ways, half-close passed on" {
    pull_busybox
    base=$(free_ports 3)
    mkdir -p $BATS_TEST_TMPDIR/www
    head -c 20000000 /dev/urandom > $BATS_TEST_TMPDIR/www/big
    echo hi > $BATS_TEST_TMPDIR/www/index.html
    chmod -R a+rX $BATS_TEST_TMPDIR/www
    # 8080: counts what a client sent once it half-closes; 8081: hashes it; 80: serves a file
    run_tsman run -d --name tcp -p 127.0.0.1:$base-$((base + 1)):8080-8081 -p $((base + 2)):80 \
        -v $BATS_TEST_TMPDIR/www:/www:ro $IMAGE sh -c \
        'nc -ll -p 8080 -e wc -c & nc -ll -p 8081 -e sha256sum & exec httpd -f -p 80 -h /www'
    run send_and_read $base 3000000
    assert_equal "${lines[1]}" 3000000
    run send_and_read $((base + 1)) 8000000
    assert_equal "${lines[1]}" "${lines[0]#sent }  -"
    run fetch http://127.0.0.1:$((base + 2))/index.html
    assert_output hi
    curl -sf --max-time 60 -o $BATS_TEST_TMPDIR/got http://127.0.0.1:$((base + 2))/big
    assert_equal "$(sha256sum < $BATS_TEST_TMPDIR/got)" "$(sha256sum < $BATS_TEST_TMPDIR/www/big)"
    # the range is bound on 127.0.0.1 only
    run curl -s --max-time 2 http://127.0.0.2:$base/
    [ "$status" -ne 0 ]
    if is_rootless; then
        # no host address: every address, IPv6 too, as podman's rootlessport (*:PORT)
        curl -sf --max-time 60 -o $BATS_TEST_TMPDIR/got6 "http://[::1]:$((base + 2))/big"
        assert_equal "$(sha256sum < $BATS_TEST_TMPDIR/got6)" "$(sha256sum < $BATS_TEST_TMPDIR/www/big)"
    fi
    run_tsman port tcp
    assert_output "8080/tcp -> 127.0.0.1:$base
8081/tcp -> 127.0.0.1:$((base + 1))
80/tcp -> 0.0.0.0:$((base + 2))"
    run_tsman rm -f -t 0 tcp
}

@test "udp: each host-loopback client gets its own replies, on 0.0.0.0 and on an address" {
    [ -x "$UDPECHO" ] || skip "no C compiler for the UDP echo server"
    pull_busybox
    base=$(free_ports 2)
    run_tsman run -d --name udp -p $base:5353/udp -p 127.0.0.1:$((base + 1)):5353/udp -v $UDPECHO:/udpecho:ro $IMAGE /udpecho 5353
    run node -e '
        const dgram = require("dgram"), [a, b] = process.argv.slice(1).map(Number);
        const got = {};
        const clients = [["one", a], ["two", a], ["three", b]].map(([name, port]) => {
            const s = dgram.createSocket("udp4");
            s.on("message", (m) => { got[name] = m.toString(); if (Object.keys(got).length === 3) {
                for (const k of ["one", "two", "three"]) console.log(k + " " + got[k]); process.exit(0); } });
            return () => { if (!got[name]) s.send(name, port, "127.0.0.1"); };
        });
        let n = 0;
        const t = setInterval(() => { if (++n > 50) { console.log(JSON.stringify(got)); process.exit(1); } clients.forEach((f) => f()); }, 200);
        clients.forEach((f) => f());' $base $((base + 1))
    assert_output "one echo:one
two echo:two
three echo:three"
    run_tsman rm -f -t 0 udp
}

@test "a published host port is the container's alone: a second container and a host process are refused" {
    pull_busybox
    port=$(free_ports 1)
    run_tsman run -d --name first -p 127.0.0.1:$port:80 $IMAGE httpd -f -p 80
    run_tsman 125 run -d --name second -p 127.0.0.1:$port:80 $IMAGE true
    assert_output -p "127.0.0.1:$port: bind: address already in use"
    run_tsman 125 run -d --name third -p $port:80 $IMAGE true
    assert_output -p ":$port: bind: address already in use"
    run_tsman ps -a --format '{{.Names}}'
    assert_output first
    run node -e 'require("net").createServer().once("error", (e) => { console.log(e.code); process.exit(0); }).listen('$port', "127.0.0.1", () => process.exit(1))'
    assert_output EADDRINUSE
    run_tsman rm -f -t 0 first
}

@test "rootless: the forwarder refuses a taken port with podman's message" {
    is_rootless || skip "root publishes through DNAT"
    port=$(free_ports 1)
    node -e 'require("net").createServer().listen('$port', "127.0.0.1"); setTimeout(() => {}, 20000)' &
    holder=$!
    for i in $(seq 1 50); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
    run "$TSMAN_REPO/dist/tsman-portfwd" /nonexistent "tcp,127.0.0.1,$port,10.0.2.100,80"
    kill $holder
    [ "$status" -eq 1 ]
    assert_output "error: listen tcp 127.0.0.1:$port: bind: address already in use"
}

@test "rootless: no Node process per container; the forwarder is small, leaks no fd, goes on stop, kill -9 of conmon and rm -f" {
    is_rootless || skip "root publishes through DNAT: no forwarder"
    pull_busybox
    port=$(free_ports 1)
    mkdir -p $BATS_TEST_TMPDIR/www && echo hello > $BATS_TEST_TMPDIR/www/index.html && chmod -R a+rX $BATS_TEST_TMPDIR/www
    run_tsman run -d --name web -p $port:80 -v $BATS_TEST_TMPDIR/www:/www:ro $IMAGE httpd -f -v -p 80 -h /www
    cid=$output
    run fetch http://127.0.0.1:$port/index.html
    assert_output hello
    # no node process belongs to the container (the Node forwarder had its namespace in argv)
    run sh -c "pgrep -u $(id -u) -a node | grep -c $cid"
    assert_output 0
    fwd=$(forwarder_pid $cid)
    [ -n "$fwd" ]
    rss=$(awk '/^VmRSS:/ {print $2}' /proc/$fwd/status)
    echo "# forwarder RSS ${rss} kB" >&3
    [ "$rss" -lt 5000 ]
    # the container sees connections from its own address, as with podman's rootlessport
    run_tsman logs web
    assert_output -p "10.0.2.100"
    # 200 connections, 20 at a time: afterwards the forwarder holds what it held before
    fds=$(ls /proc/$fwd/fd | wc -l)
    seq 1 200 | xargs -P 20 -I{} curl -sf --max-time 10 -o /dev/null http://127.0.0.1:$port/index.html
    sleep 0.5
    assert_equal "$(ls /proc/$fwd/fd | wc -l)" "$fds" "open fds of the forwarder"
    run_tsman stop -t 0 web
    wait_gone $fwd
    run_tsman start web
    fwd=$(forwarder_pid $cid)
    [ -n "$fwd" ]
    run fetch http://127.0.0.1:$port/index.html
    assert_output hello
    # the monitor dies: its end of the forwarder's exit fd closes
    run_tsman inspect --format '{{.State.ConmonPid}}' web
    [ "$output" -gt 0 ]
    kill -9 "$output"
    wait_gone $fwd
    run_tsman rm -f -t 0 web
    run_tsman run -d --name web2 -p $port:80 -v $BATS_TEST_TMPDIR/www:/www:ro $IMAGE httpd -f -p 80 -h /www
    cid2=$output
    fwd=$(forwarder_pid $cid2)
    [ -n "$fwd" ]
    run fetch http://127.0.0.1:$port/index.html
    assert_output hello
    run_tsman rm -f -t 0 web2
    wait_gone $fwd
    # the port is free again
    node -e 'require("net").createServer().listen('$port', "127.0.0.1", function () { this.close(); })'
}

@test "rootless --userns=keep-id: ports forward, and the forwarder ends with the container's process" {
    is_rootless || skip "keep-id is rootless"
    pull_busybox
    port=$(free_ports 1)
    mkdir -p $BATS_TEST_TMPDIR/www && echo keep > $BATS_TEST_TMPDIR/www/index.html && chmod -R a+rX $BATS_TEST_TMPDIR/www
    run_tsman run -d --name kid --userns=keep-id -p 127.0.0.1:$port:8080 -v $BATS_TEST_TMPDIR/www:/www:ro $IMAGE httpd -f -p 8080 -h /www
    cid=$output
    run fetch http://127.0.0.1:$port/index.html
    assert_output keep
    fwd=$(forwarder_pid $cid)
    [ -n "$fwd" ]
    run_tsman inspect --format '{{.State.Pid}}' kid
    [ "$output" -gt 0 ]
    kill -9 "$output"
    wait_gone $fwd
    run_tsman rm -f -t 0 kid
}
