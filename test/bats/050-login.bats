#!/usr/bin/env bats
# TLS registry with basic auth: login / logout / --creds / --cert-dir / auth.json

load helpers

CERTDIR=$REGISTRY_DIR/certs.d/$TLS_REGISTRY
TLS_IMAGE=$TLS_REGISTRY/tsman/busybox:latest

@test "pull from the TLS registry needs credentials" {
    run_tsman 125 pull --cert-dir $CERTDIR $TLS_IMAGE
    assert_output -p 'authentication required'
}

@test "pull with --creds and --cert-dir" {
    id=$(registry_image_id tsman/busybox:latest)
    run_tsman pull -q --creds tsmanuser:tsmanpass --cert-dir $CERTDIR $TLS_IMAGE
    assert_output "$id"
}

@test "an unknown CA is refused; --tls-verify=false skips verification" {
    run_tsman 125 pull -q --creds tsmanuser:tsmanpass $TLS_IMAGE
    assert_output -p 'certificate signed by unknown authority'
    run_tsman pull -q --creds tsmanuser:tsmanpass --tls-verify=false $TLS_IMAGE
}

@test "wrong credentials" {
    run_tsman 125 pull --creds tsmanuser:wrong --cert-dir $CERTDIR $TLS_IMAGE
    assert_output -p 'authentication required'
    run_tsman 125 login -u tsmanuser -p wrong --cert-dir $CERTDIR $TLS_REGISTRY
    assert_output -p 'invalid username/password'
    [ ! -s "$REGISTRY_AUTH_FILE" ]
}

@test "login, pull with the stored credentials, get-login, logout" {
    run_tsman login -u tsmanuser -p tsmanpass --cert-dir $CERTDIR $TLS_REGISTRY
    assert_output "Login Succeeded!"
    [ "$(stat -c %a $REGISTRY_AUTH_FILE)" = 600 ]
    jq -e ".auths[\"$TLS_REGISTRY\"].auth == \"$(printf tsmanuser:tsmanpass | base64)\"" "$REGISTRY_AUTH_FILE"
    run_tsman login --get-login $TLS_REGISTRY
    assert_output tsmanuser
    run_tsman pull -q --cert-dir $CERTDIR $TLS_IMAGE
    run_tsman logout $TLS_REGISTRY
    assert_output "Removed login credentials for $TLS_REGISTRY"
    run_tsman 125 logout $TLS_REGISTRY
    assert_output -p "not logged into $TLS_REGISTRY"
    run_tsman 125 login --get-login $TLS_REGISTRY
}

@test "login --password-stdin and --authfile" {
    af=$BATS_TEST_TMPDIR/other-auth.json
    run sh -c "echo tsmanpass | $TSMAN login --authfile $af -u tsmanuser --password-stdin --cert-dir $CERTDIR $TLS_REGISTRY"
    assert_output "Login Succeeded!"
    [ -s "$af" ]
    [ ! -e "$REGISTRY_AUTH_FILE" ]
    run_tsman pull -q --authfile $af --cert-dir $CERTDIR $TLS_IMAGE
    run_tsman logout --all --authfile $af
    assert_output "Removed login credentials for all registries"
}

@test "certs.d in the user's config dir is found without --cert-dir" {
    if is_rootless; then
        d=$HOME/.config/containers/certs.d/$TLS_REGISTRY
    else
        d=/etc/containers/certs.d/$TLS_REGISTRY
    fi
    mkdir -p $d; cp $CERTDIR/ca.crt $d/ca.crt
    run_tsman pull -q --creds tsmanuser:tsmanpass $TLS_IMAGE
    rm -rf $d
}

@test "NODE_EXTRA_CA_CERTS is trusted for registries, as Node would (bin/tsman passes it on)" {
    id=$(registry_image_id tsman/busybox:latest)
    NODE_EXTRA_CA_CERTS=$REGISTRY_DIR/certs/ca.crt run_tsman pull -q --creds tsmanuser:tsmanpass $TLS_IMAGE
    assert_output "$id"
    # and a container's --env-host sees the variable as the user set it
    NODE_EXTRA_CA_CERTS=/some/file run_tsman run --rm --env-host $TLS_IMAGE sh -c 'echo "$NODE_EXTRA_CA_CERTS ${TSMAN_EXTRA_CA_CERTS:-unset}"'
    assert_output "/some/file unset"
}
