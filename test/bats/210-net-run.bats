#!/usr/bin/env bats
# Container networking as users meet it: the default mode (slirp4netns rootless, the default bridge
# as root), --network none/host/container:, published ports (tcp, udp, random, -P), DNS and hosts
# files, host loopback, and nothing left behind. All traffic stays on this machine.

load helpers

# a free TCP/UDP port on the host
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# fetch URL from the host, retrying while the server in the container starts
fetch() {
    local i
    for i in $(seq 1 50); do
        if out=$(curl -sf --max-time 5 "$1"); then echo "$out"; return 0; fi
        sleep 0.2
    done
    echo "fetch $1 failed" >&2; return 1
}

# the static UDP echo server (the busybox image has none), built once per file
setup_file() {
    export UDPECHO=$BATS_FILE_TMPDIR/udpecho
    gcc -static -O2 -o "$UDPECHO" "$BATS_TEST_DIRNAME/data/udpecho.c" 2>/dev/null || true
}

serve_site() {  # name port-args... : httpd in a container serving $BATS_TEST_TMPDIR/www
    local name=$1; shift
    mkdir -p $BATS_TEST_TMPDIR/www
    echo "hello from $name" > $BATS_TEST_TMPDIR/www/index.html
    chmod -R a+rX $BATS_TEST_TMPDIR/www
    run_tsman run -d --name $name "$@" -v $BATS_TEST_TMPDIR/www:/www:ro $IMAGE httpd -f -p 80 -h /www
}

@test "default network: slirp4netns rootless, the default bridge as root; hosts and resolv.conf" {
    pull_busybox
    run_tsman run --name def --hostname myhost $IMAGE sh -c 'ls /sys/class/net | sort | tr "\n" " "; echo; ip route | grep default; cat /etc/hosts; grep nameserver /etc/resolv.conf'
    if is_rootless; then
        assert_output -p 'lo tap0'
        assert_output -p 'default via 10.0.2.2 dev tap0'
        assert_output -p $'10.0.2.100\tmyhost def'
        assert_output -p $'10.0.2.2\thost.containers.internal'
        assert_output -p 'nameserver 10.0.2.3'
        assert_output -p $'127.0.0.1\tlocalhost'
        run_tsman inspect --format '{{.HostConfig.NetworkMode}}' def
        assert_output slirp4netns
    else
        assert_output -p $'127.0.0.1\tlocalhost'
        assert_output -p 'eth0 lo'
        assert_output -p 'default via 10.88.0.1 dev eth0'
        assert_output -r $'10\\.88\\.[0-9]+\\.[0-9]+\tmyhost def'
        assert_output -p $'10.88.0.1\thost.containers.internal'
        run_tsman inspect --format '{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' def
        assert_output 'bridge podman'
    fi
}

@test "--network none has only lo; host shares the host's interfaces; container: joins another's" {
    pull_busybox
    run_tsman run --rm --network none $IMAGE ls /sys/class/net
    assert_output lo
    run_tsman run --rm --network host $IMAGE ls /sys/class/net
    assert_equal "$(echo "$output" | sort)" "$(ls /sys/class/net | sort)"
    run_tsman run -d --name first $IMAGE sleep 100
    run_tsman exec first cat /etc/hostname
    first_host=$output
    run_tsman run --rm --network container:first $IMAGE sh -c 'ls /sys/class/net | sort | tr "\n" " "; grep -c "'$first_host'" /etc/hosts'
    if is_rootless; then assert_output 'lo tap0 1'; else assert_output 'eth0 lo 1'; fi
    run_tsman 125 run --rm --network container:first -p 8080:80 $IMAGE true
    assert_output -p 'published or exposed ports must not be set when using a network mode of another container'
    run_tsman 125 run --rm --network none --dns 1.1.1.1 $IMAGE true
    assert_output 'Error: conflicting options: dns and the network mode: none'
    run_tsman 125 run --rm --network nosuchnet $IMAGE true
    assert_output 'Error: unable to find network with name or ID nosuchnet: network not found'
    run_tsman 125 run --rm --network slirp4netns:mtu=abc $IMAGE true
    assert_output -p 'invalid slirp4netns mtu "abc"'
    run_tsman rm -f -t 0 first
}

@test "-p: a host client fetches a file through a published tcp port; port and ps report it" {
    pull_busybox
    port=$(free_port)
    serve_site web -p 127.0.0.1:$port:80
    run fetch http://127.0.0.1:$port/index.html
    assert_output 'hello from web'
    run_tsman port web
    assert_output "80/tcp -> 127.0.0.1:$port"
    run_tsman port web 80
    assert_output "127.0.0.1:$port"
    run_tsman 125 port web 81
    assert_output 'Error: failed to find published port "81"'
    run_tsman ps --format '{{.Names}} {{.Ports}}'
    assert_output "web 127.0.0.1:$port->80/tcp"
    run_tsman inspect --format '{{json .NetworkSettings.Ports}}' web
    assert_output "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}"
    # the same host port again is refused clearly, and nothing is created
    run_tsman 125 run -d --name web2 -p 127.0.0.1:$port:80 $IMAGE true
    assert_output -p "bind: address already in use"
    run_tsman ps -a --format '{{.Names}}'
    assert_output web
    run_tsman rm -f -t 0 web
    run curl -s --max-time 2 http://127.0.0.1:$port/
    [ "$status" -ne 0 ]
}

@test "-p udp: a datagram round trip through a published udp port" {
    [ -x "$UDPECHO" ] || skip "no C compiler for the UDP echo server"
    pull_busybox
    port=$(free_port)
    run_tsman run -d --name udp -p $port:5353/udp -v $UDPECHO:/udpecho:ro $IMAGE /udpecho 5353
    run node -e '
        const s = require("dgram").createSocket("udp4"); let n = 0;
        const send = () => { if (++n > 50) { console.log("no answer"); process.exit(1); } s.send("ping", '$port', "127.0.0.1"); };
        s.on("message", (m) => { console.log(m.toString()); process.exit(0); });
        setInterval(send, 200); send();'
    assert_output 'echo:ping'
    run_tsman port udp
    assert_output "5353/udp -> 0.0.0.0:$port"
    run_tsman rm -f -t 0 udp
}

@test "-p CONTAINERPORT and -P: random host ports, reported by port and reachable" {
    pull_busybox
    serve_site rnd -p 80 --expose 9000 --expose 9100-9101/udp -P
    run_tsman port rnd 80/tcp
    hp=${output##*:}
    [[ "$hp" =~ ^[0-9]+$ ]]
    run fetch http://127.0.0.1:$hp/index.html
    assert_output 'hello from rnd'
    run_tsman port rnd
    assert_output -r "^80/tcp -> 0.0.0.0:[0-9]+
9000/tcp -> 0.0.0.0:[0-9]+
9100/udp -> 0.0.0.0:[0-9]+
9101/udp -> 0.0.0.0:[0-9]+$"
    run_tsman port -a
    assert_output -r "^[0-9a-f]{12}	80/tcp -> 0.0.0.0:$hp"
    run_tsman rm -f -t 0 rnd
}

@test "--dns, --dns-search, --dns-option, --add-host, --no-hosts" {
    pull_busybox
    run_tsman run --rm --dns 192.0.2.53 --dns-search example.test --dns-option ndots:3 --add-host db.test:192.0.2.7 $IMAGE sh -c 'cat /etc/resolv.conf; grep db.test /etc/hosts'
    assert_output $'search example.test\nnameserver 192.0.2.53\noptions ndots:3\n192.0.2.7\tdb.test'
    # the image's own /etc/hosts (this image has none): nothing bind-mounted there
    run_tsman run --rm --no-hosts $IMAGE sh -c 'cat /etc/hosts 2>&1; echo end'
    assert_output $'cat: can\'t open \'/etc/hosts\': No such file or directory\nend'
    run_tsman 125 run --rm --dns notanip $IMAGE true
    assert_output 'Error: notanip is not an ip address'
    run_tsman 125 run --rm --add-host nocolon $IMAGE true
    assert_output -p 'invalid IP address in add-host'
    run_tsman 125 run --rm -p 80:99999 $IMAGE true
    assert_output -p 'must be between 1 and 65535'
}

@test "slirp4netns: the host's loopback is reachable only with allow_host_loopback=true" {
    pull_busybox
    port=$(free_port)
    mkdir -p $BATS_TEST_TMPDIR/hostwww && echo on-the-host > $BATS_TEST_TMPDIR/hostwww/index.html
    busybox httpd -f -p 127.0.0.1:$port -h $BATS_TEST_TMPDIR/hostwww &
    srv=$!
    run_tsman run --rm --network slirp4netns:allow_host_loopback=true $IMAGE wget -qO- http://10.0.2.2:$port/index.html
    assert_output on-the-host
    run_tsman 1 run --rm --network slirp4netns $IMAGE wget -qO- http://10.0.2.2:$port/index.html
    run_tsman run --rm --network slirp4netns:cidr=10.41.0.0/24,mtu=1500 $IMAGE sh -c 'ip route | grep default; cat /sys/class/net/tap0/mtu'
    assert_output $'default via 10.41.0.2 dev tap0 \n1500'
    kill $srv
}

@test "after rm -f of 10 containers with ports nothing is left: links, nft table, slirp, namespaces" {
    pull_busybox
    for i in $(seq 1 10); do
        run_tsman run -d --name c$i -p $(free_port):80 $IMAGE sleep 1000
    done
    run_tsman ps -q
    [ "$(echo "$output" | wc -l)" -eq 10 ]
    if is_rootless; then
        [ "$(pgrep -u $(id -u) -x slirp4netns | wc -l)" -ge 10 ]
    else
        ip link show tsman0
        nft list table ip tsman | grep -c dnat
    fi
    run_tsman rm -a -f -t 0
    sleep 0.5
    run pgrep -u $(id -u) -r R,S,D -x slirp4netns
    assert_output ''
    run ls $TSMAN_RUNROOT/tsman/netns
    assert_output ''
    if ! is_rootless; then
        run ip -br link
        refute_output_contains tsman0
        refute_output_contains veth
        run nft list table ip tsman
        [ "$status" -ne 0 ]
    fi
}

@test "user network: containers talk by name and alias; other networks are isolated; ports publish" {
    pull_busybox
    run_tsman network create appnet
    run_tsman network create othernet
    serve_site db --network appnet --network-alias database
    run_tsman run --rm --network appnet $IMAGE sh -c 'wget -qO- http://db/index.html; wget -qO- http://database:80/index.html'
    assert_output $'hello from db\nhello from db'
    # the running member learnt the newcomer's name too
    run_tsman run -d --name client --network appnet $IMAGE sleep 100
    run_tsman exec db sh -c 'grep -c client /etc/hosts'
    assert_output 1
    run_tsman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' db
    dbip=$output
    [[ "$dbip" =~ ^10\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
    run_tsman 1 run --rm --network othernet $IMAGE wget -qO- http://$dbip/index.html
    assert_output -p "can't connect to remote host ($dbip)"
    run_tsman run --rm --network othernet,appnet $IMAGE wget -qO- http://db/index.html
    assert_output 'hello from db'
    port=$(free_port)
    serve_site pub --network appnet -p $port:80
    run fetch http://127.0.0.1:$port/index.html
    assert_output 'hello from pub'
    run_tsman 2 network rm appnet
    run_tsman network rm -f -t 0 appnet
    assert_output appnet
    run_tsman ps -a --format '{{.Names}}'
    assert_output ''
    run_tsman network rm othernet
    if ! is_rootless; then
        run ip -br link
        refute_output_contains veth
    fi
}

@test "--ip and --mac-address on a user network; a taken address is refused" {
    pull_busybox
    run_tsman network create --subnet 10.77.5.0/24 staticnet
    run_tsman run -d --name s1 --network staticnet --ip 10.77.5.50 --mac-address 92:d0:c6:0a:29:33 $IMAGE sleep 100
    run_tsman exec s1 sh -c 'ip addr show eth0 | grep -o "inet [0-9./]*"; cat /sys/class/net/eth0/address'
    assert_output $'inet 10.77.5.50/24\n92:d0:c6:0a:29:33'
    run_tsman inspect --format '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.MacAddress}}' s1
    assert_output '10.77.5.50 10.77.5.1 24 92:d0:c6:0a:29:33'
    run_tsman 125 run --rm --network staticnet --ip 10.77.5.50 $IMAGE true
    assert_output -p 'requested ip address 10.77.5.50 is already allocated'
    run_tsman 125 run --rm --network staticnet --ip 10.99.0.5 $IMAGE true
    assert_output -p 'requested static ip 10.99.0.5 not in any subnet on network staticnet'
    run_tsman 125 run --rm --ip 10.77.5.9 --network none $IMAGE true
    assert_output 'Error: --ip can only be used with networks'
    run_tsman rm -f -t 0 s1
    run_tsman network rm staticnet
}

@test "network connect and disconnect: a running container gains and loses an interface and names" {
    pull_busybox
    run_tsman network create net1
    run_tsman network create net2
    serve_site srv --network net2
    run_tsman run -d --name mover --network net1 $IMAGE sleep 1000
    run_tsman 1 exec mover wget -qO- http://srv/index.html
    run_tsman network connect --alias mv net2 mover
    run_tsman exec mover sh -c 'ls /sys/class/net | sort | tr "\n" " "; wget -qO- http://srv/index.html'
    assert_output 'eth0 eth1 lo hello from srv'
    run_tsman exec srv grep -c mv /etc/hosts
    assert_output 1
    run_tsman inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' mover
    assert_output 'net1 net2 '
    run_tsman 125 network connect net2 mover
    assert_output -p 'is already connected to network "net2"'
    run_tsman network disconnect net2 mover
    run_tsman exec mover sh -c 'ls /sys/class/net | sort | tr "\n" " "'
    assert_output 'eth0 lo '
    run_tsman 1 exec srv grep -c mv /etc/hosts
    assert_output 0
    run_tsman 125 network disconnect net2 mover
    assert_output -p 'is not connected to network net2'
    # a stopped container: only its configuration changes, used at the next start
    run_tsman stop -t 0 mover
    run_tsman network connect net2 mover
    run_tsman start mover
    run_tsman exec mover sh -c 'ls /sys/class/net | sort | tr "\n" " "'
    assert_output 'eth0 eth1 lo '
    run_tsman rm -a -f -t 0
    run_tsman network rm net1 net2
}

@test "network reload: rules flushed behind tsman's back come back" {
    pull_busybox
    port=$(free_port)
    serve_site rl -p 127.0.0.1:$port:80
    run fetch http://127.0.0.1:$port/index.html
    assert_output 'hello from rl'
    run_tsman 125 network reload
    assert_output 'Error: you must provide at least one name or id'
    run_tsman 125 network reload nosuch
    assert_output 'Error: no container with name or ID "nosuch" found: no such container'
    if ! is_rootless; then
        nft delete table ip tsman
        run curl -s --max-time 2 http://127.0.0.1:$port/index.html
        [ "$status" -ne 0 ]
    fi
    cid=$(tsman_cmd inspect --format '{{.Id}}' rl)
    run_tsman network reload --all
    if is_rootless; then assert_output ''; else assert_output "$cid"; fi
    run fetch http://127.0.0.1:$port/index.html
    assert_output 'hello from rl'
    run_tsman rm -f -t 0 rl
}
