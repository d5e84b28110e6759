#!/usr/bin/env bats
# tsman network create / ls / inspect / rm / remove / prune / exists: the configuration side only
# (no bridge is created). Expected outputs and exit codes are podman 4.3.1's with the netavark
# backend, except the bridge names (tsmanN, never podmanN) and the config dir (<graphroot>/tsman/networks).

load helpers

netdir() { echo "$TSMAN_ROOT/tsman/networks"; }

# subnets from a pool of our own, so a bridge another test left on the host cannot shift them
setup() {
    basic_setup
    export CONTAINERS_CONF_OVERRIDE=$BATS_TEST_TMPDIR/override.conf
    printf '[network]\ndefault_subnet_pools = [{ base = "10.251.0.0/16", size = 24 }]\n' > "$CONTAINERS_CONF_OVERRIDE"
}

# the bridge names tsman will pick: tsman1, tsman2, ... skipping interfaces that exist on the host
free_ifaces() {
    local i=1 n=0
    while [ "$n" -lt "$1" ]; do
        [ -e "/sys/class/net/tsman$i" ] || { echo "tsman$i"; n=$((n + 1)); }
        i=$((i + 1))
    done
}

# inspect output with the random id and the creation time replaced
inspect_norm() {
    run bash -c '"$0" --root "$1" --runroot "$2" network inspect "${@:3}" | sed -E "s/\"id\": \"[0-9a-f]{64}\"/\"id\": \"ID\"/; s/\"created\": \"[^\"]+\"/\"created\": \"T\"/"' \
        "$TSMAN" "$TSMAN_ROOT" "$TSMAN_RUNROOT" "$@"
    echo "$output"
}

# record that container $1 joined network $2 (what `run --network` will do once the plumbing lands)
join_network() {
    local f=$TSMAN_ROOT/tsman/store.json
    jq --arg c "$1" --arg n "$2" '(.containers[] | select(.name == $c) | .config.networks[$n]) = {}' "$f" > "$f.new"
    mv "$f.new" "$f"
}

@test "network create: prints the name; podman1, podman2 ...; one JSON file per network; bridges tsmanN" {
    read -r if1 if2 if3 <<<"$(free_ifaces 3 | xargs)"
    run_tsman network create
    assert_output "podman1"
    run_tsman network create
    assert_output "podman2"
    run_tsman network create mynet
    assert_output "mynet"
    run ls "$(netdir)"
    assert_output "mynet.json
networks.lock
podman1.json
podman2.json"
    run jq -r '[.name, .driver, .network_interface, .subnets[0].subnet, .subnets[0].gateway, .ipv6_enabled, .internal, .dns_enabled, .ipam_options.driver] | join(" ")' \
        "$(netdir)/podman1.json" "$(netdir)/podman2.json" "$(netdir)/mynet.json"
    assert_output "podman1 bridge $if1 10.251.0.0/24 10.251.0.1 false false true host-local
podman2 bridge $if2 10.251.1.0/24 10.251.1.1 false false true host-local
mynet bridge $if3 10.251.2.0/24 10.251.2.1 false false true host-local"
    run jq -r '.id + " " + .created' "$(netdir)/mynet.json"
    [[ "$output" =~ ^[0-9a-f]{64}\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]
    # podman's file layout: 5-space indent, fields in its order, no labels/options when empty
    run jq -r 'keys_unsorted | join(",")' "$(netdir)/mynet.json"
    assert_output "name,id,driver,network_interface,created,subnets,ipv6_enabled,internal,dns_enabled,ipam_options"
    run grep -c '^     "' "$(netdir)/mynet.json"
    assert_output "10"
    # a removed network's name, bridge and subnet are free again
    run_tsman network rm podman1
    run_tsman network create
    assert_output "podman1"
    run jq -r '.network_interface + " " + .subnets[0].subnet' "$(netdir)/podman1.json"
    assert_output "$if1 10.251.0.0/24"
}

@test "network create: the default pools start at 10.89.0.0/24 and skip the default network's subnet" {
    unset CONTAINERS_CONF_OVERRIDE
    run_tsman network create n1
    run_tsman network inspect --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}' n1
    [[ "$output" =~ ^10\.(89|9[0-9]|1[0-9][0-9])\.[0-9]+\.0/24\ 10\.[0-9]+\.[0-9]+\.1$ ]]
    run_tsman network create --subnet 10.251.7.0/24 n2
    export CONTAINERS_CONF_OVERRIDE=$BATS_TEST_TMPDIR/override.conf
    printf '[network]\ndefault_subnet_pools = [{ base = "10.88.0.0/15", size = 24 }]\n' > "$CONTAINERS_CONF_OVERRIDE"
    run_tsman network create n3
    run_tsman network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}}' n3
    [[ "$output" =~ ^10\.89\.[0-9]+\.0/24$ ]]
}

@test "network create: every flag (--subnet --gateway --ip-range --internal --disable-dns --label -o --interface-name)" {
    run_tsman network create --internal --disable-dns --label a=b --label c --label 'x,y=z' -o mtu=1400 -o vlan=5 -o isolate=1 \
        --subnet 10.250.0.0/24 --gateway 10.250.0.254 --ip-range 10.250.0.128/25 --interface-name br-full full
    assert_output "full"
    inspect_norm full
    assert_output '[
     {
          "name": "full",
          "id": "ID",
          "driver": "bridge",
          "network_interface": "br-full",
          "created": "T",
          "subnets": [
               {
                    "subnet": "10.250.0.0/24",
                    "gateway": "10.250.0.254",
                    "lease_range": {
                         "start_ip": "10.250.0.129",
                         "end_ip": "10.250.0.255"
                    }
               }
          ],
          "ipv6_enabled": false,
          "internal": true,
          "dns_enabled": false,
          "labels": {
               "a": "b",
               "c": "",
               "x,y": "z"
          },
          "options": {
               "isolate": "true",
               "mtu": "1400",
               "vlan": "5"
          },
          "ipam_options": {
               "driver": "host-local"
          }
     }
]'
    # the file is what inspect prints of one network
    run bash -c "sed -E 's/^/     /' '$(netdir)/full.json' | sed -E 's/\"id\": \"[0-9a-f]{64}\"/\"id\": \"ID\"/; s/\"created\": \"[^\"]+\"/\"created\": \"T\"/'"
    assert_equal "$(printf '[\n%s\n]' "$output")" "$(inspect_norm full >/dev/null; echo "$output")"
    # host bits are cleared; the gateway defaults to the first address; several subnets pair with gateways in order
    run_tsman network create --subnet 10.249.0.5/24 --subnet 10.249.1.0/24 --gateway 10.249.0.9 two
    run_tsman network inspect --format '{{range .Subnets}}{{.Subnet}}={{.Gateway}} {{end}}{{.DNSEnabled}}' two
    assert_output "10.249.0.0/24=10.249.0.9 10.249.1.0/24=10.249.1.1 true"
    # an --ip-range of the whole subnet
    run_tsman network create --subnet 10.248.0.0/24 --ip-range 10.248.0.0/24 whole
    run_tsman network inspect --format '{{range .Subnets}}{{.LeaseRange}}{{end}}' whole
    assert_output "{10.248.0.1 10.248.0.255}"
    # -o mtu without a value; --gateway is a comma list
    run_tsman network create -o mtu --subnet 10.247.0.0/24 --subnet 10.247.1.0/24 --gateway 10.247.0.2,10.247.1.2 opts
    run_tsman network inspect --format '{{.Options}} {{range .Subnets}}{{.Gateway}} {{end}}' opts
    assert_output "map[mtu:] 10.247.0.2 10.247.1.2 "
    run_tsman network create --ignore full
    assert_output "full"
    run_tsman network create --ignore=true --subnet 10.246.0.0/24 new
    assert_output "new"
}

@test "network create --ipv6: a random ULA /64 next to a free IPv4 subnet; a given IPv6 subnet enables IPv6" {
    run_tsman network create --ipv6 v6
    run_tsman network inspect --format '{{.IPv6Enabled}} {{range .Subnets}}{{.Subnet}} {{.Gateway}} {{end}}' v6
    [[ "$output" =~ ^true\ 10\.251\.0\.0/24\ 10\.251\.0\.1\ (fd[0-9a-f]{2}:[0-9a-f:]+)::/64\ (fd[0-9a-f:]+)::1\ $ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
    run_tsman network create --subnet fd10::/64 only6
    run_tsman network inspect --format '{{.IPv6Enabled}} {{range .Subnets}}{{.Subnet}} {{.Gateway}} {{end}}' only6
    assert_output "true fd10::/64 fd10::1 "
    run_tsman network create --ipv6 --subnet FD11:0::/64 --ip-range fd11::/120 dual
    inspect_norm dual
    assert_output -p '"subnets": [
               {
                    "subnet": "fd11::/64",
                    "gateway": "fd11::1",
                    "lease_range": {
                         "start_ip": "fd11::1",
                         "end_ip": "fd11::ff"
                    }
               },
               {
                    "subnet": "10.251.1.0/24",
                    "gateway": "10.251.1.1"
               }
          ],
          "ipv6_enabled": true,'
    run_tsman network create --ipv6 --subnet 10.245.0.0/24 v4given
    run_tsman network inspect --format '{{range .Subnets}}{{.Subnet}} {{end}}' v4given
    [[ "$output" =~ ^10\.245\.0\.0/24\ fd[0-9a-f:]+::/64\ $ ]]
    run_tsman 125 network create --subnet fd10::/64 clash6
    assert_output "Error: subnet fd10::/64 is already used on the host or by another config"
    run_tsman 125 network create --subnet fd13::/64 --gateway fd14::1 x
    assert_output "Error: gateway fd14::1 not in subnet fd13::/64"
}

@test "network create: errors as podman's, and nothing left behind" {
    run_tsman network create --subnet 10.250.0.0/24 foo
    run_tsman 125 network create foo
    assert_output "Error: network name foo already used: network already exists"
    run_tsman 125 network create podman
    assert_output "Error: network name podman already used: network already exists"
    run_tsman 125 network create 'bad name'
    assert_output "Error: network name bad name invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument"
    run_tsman 125 network create a b
    assert_output "Error: accepts at most 1 arg(s), received 2"
    run_tsman 125 network create -d foo x
    assert_output "Error: unsupported driver foo: invalid argument"
    run_tsman 125 network create -d macvlan x
    assert_output "Error: unsupported driver macvlan: tsman creates bridge networks only: invalid argument"
    run_tsman 125 network create --driver ipvlan x
    assert_output "Error: unsupported driver ipvlan: tsman creates bridge networks only: invalid argument"
    run_tsman 125 network create --subnet bad x
    assert_output "Error: invalid CIDR address: bad"
    run_tsman 125 network create --subnet 10.250.0.0/33 x
    assert_output "Error: invalid CIDR address: 10.250.0.0/33"
    run_tsman 125 network create --subnet 10.250.0.0/24 x
    assert_output "Error: subnet 10.250.0.0/24 is already used on the host or by another config"
    run_tsman 125 network create --subnet 10.250.0.5/28 x
    assert_output "Error: subnet 10.250.0.0/28 is already used on the host or by another config"
    run_tsman 125 network create --subnet 10.250.0.0/16 x
    assert_output "Error: subnet 10.250.0.0/16 is already used on the host or by another config"
    # the default network's 10.88.0.0/16, and the host's loopback
    run_tsman 125 network create --subnet 10.88.5.0/24 x
    assert_output "Error: subnet 10.88.5.0/24 is already used on the host or by another config"
    run_tsman 125 network create --subnet 127.0.0.0/24 x
    assert_output "Error: subnet 127.0.0.0/24 is already used on the host or by another config"
    run_tsman 125 network create --subnet 10.244.0.0/31 x
    assert_output "Error: subnet 10.244.0.0/31 is too small for a bridge network: invalid argument"
    run_tsman 125 network create --subnet 10.244.0.0/24 --gateway 10.243.0.1 x
    assert_output "Error: gateway 10.243.0.1 not in subnet 10.244.0.0/24"
    run_tsman 125 network create --gateway 10.244.0.1 x
    assert_output "Error: cannot set gateway or range without subnet"
    run_tsman 125 network create --ip-range 10.244.0.0/28 x
    assert_output "Error: cannot set gateway or range without subnet"
    run_tsman 125 network create --subnet 10.244.0.0/24 --gateway bad x
    assert_output 'Error: invalid argument "bad" for "--gateway" flag: invalid string being converted to IP address: bad'
    run_tsman 125 network create --subnet 10.244.0.0/24 --gateway 10.244.0.1 --gateway 10.244.0.2 x
    assert_output "Error: cannot set more gateways than subnets"
    run_tsman 125 network create --subnet 10.244.0.0/24 --ip-range 10.244.0.0/28 --ip-range 10.244.0.16/28 x
    assert_output "Error: cannot set more ranges than subnets"
    run_tsman 125 network create --subnet 10.244.0.0/24 --ip-range 10.243.0.0/28 x
    assert_output "Error: lease range start ip 10.243.0.1 not in subnet 10.244.0.0/24"
    run_tsman 125 network create --subnet 10.244.0.0/24 --ip-range 10.244.0.0/23 x
    assert_output "Error: lease range end ip 10.244.1.255 not in subnet 10.244.0.0/24"
    run_tsman 125 network create --subnet 10.244.0.0/24 --ip-range bad x
    assert_output "Error: invalid CIDR address: bad"
    run_tsman 125 network create -o mtu=abc x
    assert_output 'Error: strconv.Atoi: parsing "abc": invalid syntax'
    run_tsman 125 network create -o mtu=-5 x
    assert_output "Error: mtu -5 is less than zero"
    run_tsman 125 network create -o vlan=5000 x
    assert_output "Error: vlan ID 5000 must be between 0 and 4094"
    run_tsman 125 network create --opt vlan=abc x
    assert_output 'Error: strconv.Atoi: parsing "abc": invalid syntax'
    run_tsman 125 network create -o isolate=strict x
    assert_output 'Error: strconv.ParseBool: parsing "strict": invalid syntax'
    run_tsman 125 network create -o foo=bar x
    assert_output "Error: unsupported bridge network option foo"
    run_tsman 125 network create -o =x x
    assert_output 'Error: unable to parse options: invalid label format: "=x"'
    run_tsman 125 network create --label =x x
    assert_output 'Error: failed to parse labels: invalid label format: "=x"'
    run_tsman 125 network create --interface-name "$(jq -r .network_interface "$(netdir)/foo.json")" x
    assert_output "Error: bridge name $(jq -r .network_interface "$(netdir)/foo.json") already in use"
    run_tsman 125 network create --interface-name lo x
    assert_output "Error: bridge name lo already in use"
    run_tsman 125 network create --interface-name 'a b' x
    assert_output "Error: bridge name a b invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument"
    run_tsman 125 network create --interface-name abcdefghijklmnop x
    assert_output "Error: bridge name abcdefghijklmnop invalid: longer than 15 characters: invalid argument"
    run ls "$(netdir)"
    assert_output "foo.json
networks.lock"
}

@test "network ls: table, -q, --noheading, --no-trunc, --format (table, Go template, json)" {
    run_tsman network ls
    assert_output "NETWORK ID    NAME        DRIVER
2f259bab93aa  podman      bridge"
    run_tsman network create --label a=b --label c --subnet 10.250.0.0/24 --interface-name br-lab lab
    run_tsman network create --subnet 10.249.0.0/24 --interface-name br-b b
    id=$(jq -r .id "$(netdir)/lab.json")
    bid=$(jq -r .id "$(netdir)/b.json")
    run_tsman network ls
    assert_output "NETWORK ID    NAME        DRIVER
${bid:0:12}  b           bridge
${id:0:12}  lab         bridge
2f259bab93aa  podman      bridge"
    run_tsman network ls --noheading
    assert_output "${bid:0:12}  b           bridge
${id:0:12}  lab         bridge
2f259bab93aa  podman      bridge"
    run_tsman network ls -q
    assert_output "b
lab
podman"
    run_tsman network ls -q --no-trunc
    assert_output "b
lab
podman"
    run_tsman network ls --no-trunc --filter name=lab
    assert_output "NETWORK ID                                                        NAME        DRIVER
$id  lab         bridge"
    run_tsman network ls --format 'table {{.Name}} {{.ID}} {{.Labels}} {{.NetworkInterface}}' --filter name=lab
    assert_output "NAME        NETWORK ID    LABELS      NETWORK INTERFACE
lab         ${id:0:12}  a=b,c=      br-lab"
    run_tsman network ls --format '{{.Name}} {{.Driver}} {{.Labels}} {{.Options}} {{.Internal}} {{.DNSEnabled}} {{.NetworkInterface}}'
    assert_output "b bridge  map[] false true br-b
lab bridge a=b,c= map[] false true br-lab
podman bridge  map[] false false tsman0"
    run_tsman network ls --format '{{.ID}}' --no-trunc --filter name=^podman$
    assert_output "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"
    run_tsman network ls --format json --filter name=lab
    assert_output "[
  {
    \"name\": \"lab\",
    \"id\": \"$id\",
    \"driver\": \"bridge\",
    \"network_interface\": \"br-lab\",
    \"created\": \"$(jq -r .created "$(netdir)/lab.json")\",
    \"subnets\": [
      {
        \"subnet\": \"10.250.0.0/24\",
        \"gateway\": \"10.250.0.1\"
      }
    ],
    \"ipv6_enabled\": false,
    \"internal\": false,
    \"dns_enabled\": true,
    \"labels\": {
      \"a\": \"b\",
      \"c\": \"\"
    },
    \"ipam_options\": {
      \"driver\": \"host-local\"
    }
  }
]"
    run_tsman network ls --format json --filter name=nomatch
    assert_output "[]"
    run_tsman 125 network ls --format '{{.Foo}}'
    assert_output 'Error: template: ls:1:13: executing "ls" at <.Foo>: can'"'"'t evaluate field Foo in type network.ListPrintReports'
    run_tsman 125 network ls x
    assert_output "Error: \`tsman network ls\` takes no arguments"
}

@test "network ls --filter: name, id, driver, label, label!, until, dangling; errors" {
    pull_busybox
    run_tsman network create --label a=b --label c --subnet 10.250.0.0/24 lab
    run_tsman network create --subnet 10.249.0.0/24 used
    run_tsman network create --subnet 10.248.0.0/24 other
    id=$(jq -r .id "$(netdir)/other.json")
    run_tsman create --name ctr $IMAGE true
    join_network ctr used
    run_tsman network ls -q --filter name=o
    assert_output "other
podman"
    run_tsman network ls -q --filter name=^o --filter name=^l
    assert_output "lab
other"
    run_tsman network ls -q --filter name=lab,other
    assert_output ""
    run_tsman network ls -q --filter id=${id:0:10}
    assert_output "other"
    run_tsman network ls -q --filter id=^2f259bab
    assert_output "podman"
    run_tsman network ls -q --filter driver=bridge --filter name=^u
    assert_output "used"
    run_tsman network ls -q --filter driver=macvlan
    assert_output ""
    run_tsman network ls -q --filter label=a
    assert_output "lab"
    run_tsman network ls -q --filter label=a=b --filter label=c
    assert_output "lab"
    run_tsman network ls -q --filter label=c=
    assert_output "lab"
    run_tsman network ls -q --filter label=a=x
    assert_output ""
    run_tsman network ls -q --filter label=a --filter label=zz
    assert_output ""
    run_tsman network ls -q --filter 'label!=a'
    assert_output "other
podman
used"
    run_tsman network ls -q --filter dangling=true
    assert_output "lab
other"
    run_tsman network ls -q --filter dangling=false
    assert_output "podman
used"
    run_tsman network ls -q --filter dangling=1 --filter name=^l
    assert_output "lab"
    run_tsman network ls -q --filter until=2000-01-01
    assert_output ""
    run_tsman network ls -q --filter until=-1h --filter name=lab
    assert_output "lab"
    run_tsman 125 network ls --filter until=bad
    assert_output 'Error: failed to parse value as time or duration: "bad"'
    run_tsman 125 network ls --filter dangling=x
    assert_output 'Error: invalid dangling filter value "x"'
    run_tsman 125 network ls --filter dangling=true --filter dangling=false
    assert_output 'Error: got more than one value for filter key "dangling"'
    run_tsman 125 network ls --filter foo=bar
    assert_output 'Error: invalid filter "foo"'
    run_tsman 125 network ls --filter name
    assert_output "Error: filter input must be in the form of filter=value: name is invalid"
}

@test "network inspect: podman's JSON, the default network, --format templates, id prefixes, errors" {
    run_tsman network create --subnet 10.250.0.0/24 --ip-range 10.250.0.128/25 --interface-name br-i insp
    id=$(jq -r .id "$(netdir)/insp.json")
    inspect_norm podman
    assert_output '[
     {
          "name": "podman",
          "id": "ID",
          "driver": "bridge",
          "network_interface": "tsman0",
          "created": "T",
          "subnets": [
               {
                    "subnet": "10.88.0.0/16",
                    "gateway": "10.88.0.1"
               }
          ],
          "ipv6_enabled": false,
          "internal": false,
          "dns_enabled": false,
          "ipam_options": {
               "driver": "host-local"
          }
     }
]'
    # the default network's creation time is stable
    run_tsman network inspect --format '{{.Created}}' podman
    first=$output
    sleep 0.1
    run_tsman network inspect --format '{{.Created}}' podman
    assert_output "$first"
    run_tsman network inspect --format '{{.Name}} {{.ID}} {{.Driver}} {{.NetworkInterface}} {{.IPv6Enabled}} {{.Internal}} {{.DNSEnabled}} {{.Labels}} {{.Options}} {{.IPAMOptions}}' podman ${id:0:5}
    assert_output "podman 2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9 bridge tsman0 false false false map[] map[] map[driver:host-local]
insp $id bridge br-i false false true map[] map[] map[driver:host-local]"
    run_tsman network inspect --format '{{.Subnets}}' podman insp
    assert_output "[{{{10.88.0.0 ffff0000}} 10.88.0.1 <nil>}]
[{{{10.250.0.0 ffffff00}} 10.250.0.1 &{10.250.0.129 10.250.0.255}}]"
    run_tsman network inspect -f '{{range .Subnets}}{{.Subnet}} {{.Gateway}} {{.LeaseRange}} {{.LeaseRange.StartIP}}{{end}}' insp
    assert_output "10.250.0.0/24 10.250.0.1 {10.250.0.129 10.250.0.255} 10.250.0.129"
    run_tsman network inspect --format '{{.Created}}' insp
    [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:.]+\ [+-][0-9]{4}\ [A-Z]+$ ]]
    run_tsman network inspect --format json insp
    assert_output -p "\"id\": \"$id\""
    run_tsman network inspect --format '{{json .}}' $id
    assert_output -p '"name": "insp"'
    run_tsman network inspect -f '{{.Name}}' 2f259
    assert_output "podman"
    run_tsman 125 network inspect nope
    assert_output "[]
Error: inspecting object: network nope: unable to find network with name or ID nope: network not found"
    run_tsman 125 network inspect nope insp nope2 --format '{{.Name}}'
    assert_output "insp
error inspecting object: network nope2: unable to find network with name or ID nope2: network not found
Error: inspecting object: network nope: unable to find network with name or ID nope: network not found"
    run_tsman 125 network inspect
    assert_output "Error: requires at least 1 arg(s), only received 0"
    run_tsman 125 network inspect --format '{{.Foo}}' insp
    assert_output -p "can't evaluate field Foo"
}

@test "network rm: names, exit codes (1 missing, 125 the default network), -t needs -f" {
    run_tsman network create --subnet 10.250.0.0/24 n1
    run_tsman network create --subnet 10.249.0.0/24 n2
    run_tsman network create --subnet 10.248.0.0/24 n3
    id3=$(jq -r .id "$(netdir)/n3.json")
    run_tsman network rm n1
    assert_output "n1"
    [ ! -e "$(netdir)/n1.json" ]
    run_tsman network remove ${id3:0:12}
    assert_output "n3"
    run_tsman 1 network rm nope
    assert_output "Error: unable to find network with name or ID nope: network not found"
    run_tsman 1 network rm nope1 nope2
    assert_output "Error: unable to find network with name or ID nope1: network not found
Error: unable to find network with name or ID nope2: network not found"
    run_tsman 125 network rm podman
    assert_output "Error: default network podman cannot be removed"
    run_tsman 125 network rm -f podman
    assert_output "Error: default network podman cannot be removed"
    run_tsman 1 network rm podman nope
    assert_output "Error: default network podman cannot be removed
Error: unable to find network with name or ID nope: network not found"
    run_tsman 1 network rm nope n2
    assert_output "n2
Error: unable to find network with name or ID nope: network not found"
    run_tsman network rm -f nope
    assert_output ""
    run_tsman 125 network rm -t 5 nope
    assert_output "Error: --force option must be specified to use the --time option"
    run_tsman 125 network rm -f -t x nope
    assert_output 'Error: invalid argument "x" for "-t, --time" flag: strconv.ParseUint: parsing "x": invalid syntax'
    run_tsman 125 network rm
    assert_output "Error: requires at least 1 arg(s), only received 0"
    run_tsman network ls -q
    assert_output "podman"
    run ls "$(netdir)"
    assert_output "networks.lock"
}

@test "network rm: a network in use is refused (exit 2); -f removes its containers first" {
    pull_busybox
    run_tsman network create --subnet 10.250.0.0/24 used
    run_tsman network create --subnet 10.249.0.0/24 also
    run_tsman network create --subnet 10.248.0.0/24 free
    run_tsman create --name c1 $IMAGE true
    run_tsman run -d --name c2 $IMAGE sleep 100
    run_tsman create --name bystander $IMAGE true
    join_network c1 used
    join_network c2 used
    join_network c2 also
    # podman stops at the network in use: nothing is printed, later names are not tried
    run_tsman 2 network rm free used also
    assert_output 'Error: "used" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used'
    run_tsman network ls -q
    assert_output "also
podman
used"
    run_tsman network rm -f -t 0 used
    assert_output "used"
    run_tsman ps -a --format '{{.Names}}'
    assert_output "bystander"
    # c2 went with "used": "also" is free now
    run_tsman network rm also
    assert_output "also"
    run_tsman network ls -q
    assert_output "podman"
}

@test "network prune: -f prints the names, never the default network nor one in use; --filter; the prompt" {
    pull_busybox
    run_tsman network prune -f
    assert_output ""
    run_tsman network create --label k=v --subnet 10.250.0.0/24 p1
    run_tsman network create --subnet 10.249.0.0/24 p2
    run_tsman network create --subnet 10.248.0.0/24 inuse
    run_tsman create --name ctr $IMAGE true
    join_network ctr inuse
    run_tsman network prune -f --filter label=k=v
    assert_output "p1"
    run_tsman network create --label k=v --subnet 10.250.0.0/24 p3
    run_tsman network prune -f --filter 'label!=k'
    assert_output "p2"
    run_tsman network prune -f --filter until=2000-01-01
    assert_output ""
    run bash -c 'echo n | "$0" --root "$1" --runroot "$2" network prune' "$TSMAN" "$TSMAN_ROOT" "$TSMAN_RUNROOT"
    [ "$status" -eq 0 ]
    assert_output "WARNING! This will remove all networks not used by at least one container.
Are you sure you want to continue? [y/N] "
    run_tsman network ls -q
    assert_output "inuse
p3
podman"
    run bash -c 'echo y | "$0" --root "$1" --runroot "$2" network prune' "$TSMAN" "$TSMAN_ROOT" "$TSMAN_RUNROOT"
    [ "$status" -eq 0 ]
    assert_output "WARNING! This will remove all networks not used by at least one container.
Are you sure you want to continue? [y/N] p3"
    run_tsman network ls -q
    assert_output "inuse
podman"
    run_tsman 125 network prune -f --filter name=inuse
    assert_output 'Error: invalid filter "name"'
    run_tsman 125 network prune -f --filter dangling=true
    assert_output 'Error: invalid filter "dangling"'
    run_tsman 125 network prune -f --filter label
    assert_output "Error: filter input must be in the form of filter=value: label is invalid"
    run_tsman 125 network prune x
    assert_output "Error: \`tsman network prune\` takes no arguments"
    run_tsman rm ctr
    run_tsman network prune -f
    assert_output "inuse"
    run_tsman network ls -q
    assert_output "podman"
}

@test "network exists; network alone lists the subcommands" {
    run_tsman network create --subnet 10.250.0.0/24 here
    id=$(jq -r .id "$(netdir)/here.json")
    run_tsman network exists here
    run_tsman network exists podman
    run_tsman network exists ${id:0:12}
    run_tsman network exists $id
    run_tsman 1 network exists nope
    assert_output ""
    run_tsman 125 network exists
    assert_output "Error: accepts 1 arg(s), received 0"
    run_tsman 125 network exists a b
    assert_output "Error: accepts 1 arg(s), received 2"
    run_tsman 125 network
    assert_output -p "Available Commands:
  connect     Add container to a network
  create      Create a network
  disconnect  Disconnect a container from a network"
    assert_output -p "Error: missing command 'tsman network COMMAND'"
    run_tsman 125 network foo
    assert_output "Error: unrecognized command \`tsman network foo\`
Try 'tsman network --help' for more information"
}

@test "containers.conf: network_config_dir, default_network, default_subnet" {
    printf '[network]\ndefault_subnet_pools = [{ base = "10.251.0.0/16", size = 24 }]\nnetwork_config_dir = "%s"\ndefault_network = "mynet"\ndefault_subnet = "10.240.0.0/16"\n' \
        "$BATS_TEST_TMPDIR/nets" > "$CONTAINERS_CONF_OVERRIDE"
    run_tsman network create elsewhere
    [ -f "$BATS_TEST_TMPDIR/nets/elsewhere.json" ]
    [ ! -e "$(netdir)" ]
    run_tsman network ls --format '{{.ID}} {{.Name}} {{.NetworkInterface}} {{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}'
    assert_output "$(jq -r .id "$BATS_TEST_TMPDIR/nets/elsewhere.json" | cut -c1-12) elsewhere $(jq -r .network_interface "$BATS_TEST_TMPDIR/nets/elsewhere.json") 10.251.0.0/24 10.251.0.1
2f259bab93aa mynet tsman0 10.240.0.0/16 10.240.0.1"
    run_tsman 125 network rm mynet
    assert_output "Error: default network mynet cannot be removed"
    run_tsman 125 network create --subnet 10.240.1.0/24 x
    assert_output "Error: subnet 10.240.1.0/24 is already used on the host or by another config"
    # podman is an ordinary name now
    run_tsman network create --subnet 10.239.0.0/24 podman
    assert_output "podman"
    run_tsman network rm podman elsewhere
    assert_output "podman
elsewhere"
}

@test "concurrent network creates get distinct names, bridges and subnets" {
    for i in 1 2 3 4 5 6; do tsman_cmd network create >/dev/null & done
    for i in 1 2 3 4 5 6; do tsman_cmd network create "named$i" >/dev/null & done
    wait
    run_tsman network ls -q
    assert_output "named1
named2
named3
named4
named5
named6
podman
podman1
podman2
podman3
podman4
podman5
podman6"
    run bash -c "jq -r .network_interface '$(netdir)'/*.json | sort -u | wc -l"
    assert_output "12"
    run bash -c "jq -r .subnets[0].subnet '$(netdir)'/*.json | sort -u | wc -l"
    assert_output "12"
    run bash -c "jq -r .subnets[0].subnet '$(netdir)'/*.json | sort -t. -k3n | head -1; jq -r .subnets[0].subnet '$(netdir)'/*.json | sort -t. -k3n | tail -1"
    assert_output "10.251.0.0/24
10.251.11.0/24"
    run ls -a "$(netdir)"
    refute_output_contains ".tmp"
}
