#!/usr/bin/env bash
# Builds vcsim (govmomi's vCenter simulator) from Debian's golang-github-vmware-govmomi-dev
# into infra/vcsim/target/vcsim and prints the binary's path. Idempotent: installs the two
# packages only when missing, and skips the build when the binary is newer than main.go.
# GOPATH mode (no Go module proxy here); nothing is written to $HOME.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$dir/target"
bin="$target/vcsim"
govmomi=/usr/share/gocode/src/github.com/vmware/govmomi/simulator
packages=(golang-go golang-github-vmware-govmomi-dev)

fail() {
    echo "infra/vcsim/build.sh: $*" >&2
    exit 1
}

if [[ -x "$bin" && "$bin" -nt "$dir/main.go" ]]; then
    echo "$bin"
    exit 0
fi

mkdir -p "$target"
# Two test JVMs may build at once; the second waits and then finds the binary fresh.
exec 9>"$target/.build.lock"
if command -v flock >/dev/null; then
    flock 9
    if [[ -x "$bin" && "$bin" -nt "$dir/main.go" ]]; then
        echo "$bin"
        exit 0
    fi
fi

if ! command -v go >/dev/null || [[ ! -d "$govmomi" ]]; then
    [[ "$(id -u)" == 0 ]] || fail "needs ${packages[*]}; run as root or: sudo apt-get install -y --no-install-recommends ${packages[*]}"
    command -v apt-get >/dev/null || fail "needs ${packages[*]} (Debian/Ubuntu packages) and apt-get is not available"
    export DEBIAN_FRONTEND=noninteractive
    echo "infra/vcsim/build.sh: installing ${packages[*]}" >&2
    if ! apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2; then
        echo "infra/vcsim/build.sh: install failed; retrying after apt-get update" >&2
        apt-get update -qq >&2 || fail "apt-get update failed"
        apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2 \
            || fail "apt-get install ${packages[*]} failed"
    fi
    command -v go >/dev/null || fail "go is still not on PATH after installing golang-go"
    [[ -d "$govmomi" ]] || fail "$govmomi is missing after installing golang-github-vmware-govmomi-dev"
fi

mkdir -p "$target/gopath" "$target/gocache"
echo "infra/vcsim/build.sh: building $bin ($(go version))" >&2
(
    cd "$dir"
    env GO111MODULE=off GOFLAGS= GOENV=off GOPROXY=off \
        GOPATH="$target/gopath:/usr/share/gocode" \
        GOCACHE="$target/gocache" \
        go build -ldflags="-s -w" -o "$bin.tmp" main.go
) || fail "go build failed (see the compiler output above)"
mv -f "$bin.tmp" "$bin"
echo "$bin"
