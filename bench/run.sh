#!/usr/bin/env bash
# kiln's benchmarks against buildah, Docker's BuildKit and skopeo (issue 7):
#   bench/run.sh [WORKLOAD...]      workloads: w1 w2 w3 w4 w5 w6 limits (default: all of them)
#   w1 commit of a large tree, w2 build with no cache, w3 build again (nothing changed, last COPY
#   changed), w4 push/pull through a loopback registry, w5 run latency, w6 commit of 100k tiny
#   files, limits: what tar, compressors, sha256 and the disk do on this machine.
# Each workload runs the tools alternately (warm-up, then A B C A B C ...), each tool with its
# own store, and records wall time, CPU seconds and peak RSS of the command (GNU time, which
# counts the command and the children it waited for; for BuildKit the daemon's CPU is added and
# its RSS is dockerd's peak) and the bytes of the new layer, image or push.
# A run with no WORKLOAD (and BENCH_SCALE unset) replaces bench/RESULTS.md; a partial or scaled
# run writes RESULTS.md in its run directory only.
#
# Environment:
#   BENCH_DIR         data, stores and raw results (default /var/tmp/kiln-bench); never the repo
#   BENCH_RUNS        timed runs per tool and variant (default 5)
#   BENCH_LONG_RUNS   timed runs when the warm-up took over a minute (default 3)
#   BENCH_SEED        seed of the generated data (default 7)
#   BENCH_SCALE       multiplies the generated data's sizes and file counts (default 1); e.g. 0.05
#                     for a smoke run that checks the workloads end to end
#   BENCH_UNTIL       HH:MM (UTC); workloads not started by then are skipped, and say so
#   BENCH_NOTES       a markdown file appended to RESULTS.md (how the run went, caveats)
#   BENCH_KEEP=1      keep the run's stores at the end (default: delete them)
#
# This machine's ext4 (no journal) creates files up to 8x slower for about a minute after many
# were deleted, so nothing is deleted between timed runs: every run gets fresh names, stores are
# deleted when a workload is done, and the next timed step waits until 65 s have passed.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(dirname "$here")"
BENCH_DIR="${BENCH_DIR:-/var/tmp/kiln-bench}"
RUNS="${BENCH_RUNS:-5}"
LONG_RUNS="${BENCH_LONG_RUNS:-3}"
SEED="${BENCH_SEED:-7}"
SCALE="${BENCH_SCALE:-1}"
SETTLE_S=65
ALL_WORKLOADS=(w1 w2 w3 w4 w5 w6 limits)
DOCKER=/usr/bin/docker   # the CLI of Debian's docker.io, whatever else /usr/local/bin holds
DOCKERFILE="$here/w2.Dockerfile"

declare -a RAN=() SKIPPED=()
say() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- setup -----------------------------------------------------------------------------------

install_tools() {
    local -a missing=()
    local cmd pkg
    for pair in buildah:buildah skopeo:skopeo podman:podman runc:runc docker-registry:docker-registry \
                pigz:pigz zstd:zstd python3:python3 /usr/bin/time:time /bin/busybox:busybox-static \
                dockerd:docker.io "$DOCKER":docker.io; do
        cmd="${pair%%:*}" pkg="${pair#*:}"
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    say "installing from Debian: ${missing[*]}"
    # docker.io's scripts would start dockerd and containerd as services; the benchmark starts
    # dockerd itself, with its own state, only while W2 and W3 run. policy-rc.d refuses the starts.
    local policy=/usr/sbin/policy-rc.d ours=0
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1; fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    [ "$ours" = 0 ] || rm -f "$policy"
    if command -v systemctl >/dev/null; then
        systemctl disable docker.service docker.socket containerd.service >/dev/null 2>&1 || true
    fi
}

# Waits until SETTLE_S seconds have passed since the last deletion this script made.
settle() {
    local stamp="$BENCH_DIR/.last-delete" age
    [ -f "$stamp" ] || return 0
    age=$(( $(date +%s) - $(stat -c %Y "$stamp") ))
    if [ "$age" -lt "$SETTLE_S" ]; then
        say "waiting $((SETTLE_S - age)) s after deleting (ext4 is slow to create files then)"
        sleep $((SETTLE_S - age))
    fi
}

delete_tree() {
    local d m
    for d in "$@"; do   # rm -rf would empty whatever is still mounted below (an overlay's lower)
        { findmnt -rn -o TARGET | grep -F "$d/" || true; } | sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
    done
    rm -rf "$@"
    sync
    touch "$BENCH_DIR/.last-delete"
}

make_data() {
    local sfx=""
    [ "$SCALE" = 1 ] || sfx="-x$SCALE"   # scaled data never passes for full-sized data
    mkdir -p "$BENCH_DIR/data"
    W1_TREE="$BENCH_DIR/data/w1-v3-seed$SEED$sfx"
    W6_TREE="$BENCH_DIR/data/w6-v1-seed$SEED$sfx"
    CONTEXT="$BENCH_DIR/data/context-v1-seed$SEED$sfx"
    W4_TREE="$BENCH_DIR/data/w4-v1-seed$SEED$sfx"
    ROOTFS="$BENCH_DIR/data/busybox-rootfs.tar"
    [ -d "$W1_TREE" ] || python3 "$here/gen-data.py" large "$W1_TREE" "$SEED" "$SCALE"
    [ -d "$W6_TREE" ] || python3 "$here/gen-data.py" small "$W6_TREE" "$SEED" "$SCALE"
    [ -f "$ROOTFS" ] || "$repo/examples/busybox/make-rootfs.sh" "$ROOTFS"
    # The W1 tree as one tarball: the input of the machine-limit steps, and the byte count that
    # commit throughput is measured in (file data plus tar headers, as in the layer).
    W1_TAR="$W1_TREE.tar"
    [ -f "$W1_TAR" ] || tar -C "$W1_TREE" -cf "$W1_TAR" .
    W1_BYTES=$(stat -c %s "$W1_TAR")
    sync
}

need_data() {  # KIND DIR: W2-W4's inputs, made when a workload first needs them
    [ -d "$2" ] || { python3 "$here/gen-data.py" "$1" "$2" "$SEED" "$SCALE"; sync; }
}

# --- the two tools, behind the same verbs ------------------------------------------------------
# tool_* STORE ...: STORE is a directory holding that tool's store.

tool_cmd() {  # TOOL STORE -> the command prefix, in the array CMD
    case "$1" in
        kiln) CMD=("$repo/kiln" --root "$2/kiln") ;;
        buildah) CMD=(buildah --root "$2/buildah" --runroot "$2/buildah-run") ;;
        buildkit) CMD=(env DOCKER_BUILDKIT=1 "$DOCKER" -H "unix://$DOCKER_SOCK") ;;  # STORE: the daemon's
        skopeo) CMD=(skopeo) ;;                                                      # no store
    esac
}

make_base() {  # TOOL STORE: an image 'bb' made from the busybox rootfs, from scratch
    local c
    tool_cmd "$1" "$2"
    c=$("${CMD[@]}" from scratch)
    "${CMD[@]}" add "$c" "$ROOTFS" / >/dev/null
    "${CMD[@]}" commit -q "$c" bb >/dev/null
}

commit_flags() {  # TOOL VARIANT -> FLAGS
    case "$1:$2" in
        *:default) FLAGS=() ;;
        kiln:gzip) FLAGS=(--compression-format gzip) ;;
        kiln:zstd) FLAGS=(--compression-format zstd) ;;
        buildah:gzip) FLAGS=(--disable-compression=false) ;;
        *:squash) FLAGS=(--squash) ;;
        *) return 1 ;;
    esac
}

top_layer_bytes() {  # TOOL STORE IMAGE: size of the image's last layer blob as stored
    tool_cmd "$1" "$2"
    case "$1" in
        kiln) "${CMD[@]}" inspect "$3" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Manifest"]["layers"][-1]["size"])' ;;
        buildah) "${CMD[@]}" inspect --type image --format '{{.Manifest}}' "$3" \
                   | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["size"])' ;;
    esac
}

# --- Docker's daemon, for BuildKit --------------------------------------------------------------
# dockerd runs only while W2 or W3 does, with all its state under DIR (its containerd too), on
# its own socket; it keeps the default bridge, since BuildKit's RUN fails with --bridge=none.

DOCKERD_PID="" DOCKER_SOCK="" DOCKER0_OURS=0

docker_start() {  # DIR: starts dockerd, or says why not and returns 1
    local dir="$1" i
    if ! command -v dockerd >/dev/null || [ ! -x "$DOCKER" ]; then
        say "no BuildKit peer: dockerd or $DOCKER is missing (Debian's docker.io)"; return 1
    fi
    mkdir -p "$dir"
    DOCKER_SOCK="$dir/docker.sock"
    if ip link show docker0 >/dev/null 2>&1; then DOCKER0_OURS=0; else DOCKER0_OURS=1; fi
    dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
        -H "unix://$DOCKER_SOCK" --iptables=false >"$dir/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    for ((i = 0; i < 600; i++)); do
        "$DOCKER" -H "unix://$DOCKER_SOCK" version >/dev/null 2>&1 && { say "dockerd started (pid $DOCKERD_PID)"; return 0; }
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 0.1
    done
    say "no BuildKit peer: dockerd did not start; the end of $dir/dockerd.log:"
    tail -n 5 "$dir/dockerd.log" >&2
    docker_stop
    return 1
}

docker_stop() {  # by its pid; it stops its own containerd
    [ -n "$DOCKERD_PID" ] || return 0
    local i
    kill -TERM "$DOCKERD_PID" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$DOCKERD_PID" 2>/dev/null; then say "dockerd did not stop in 30 s; killing it"; kill -KILL "$DOCKERD_PID"; fi
    wait "$DOCKERD_PID" 2>/dev/null || true
    say "dockerd stopped (pid $DOCKERD_PID)"
    [ "$DOCKER0_OURS" = 0 ] || ip link delete docker0 2>/dev/null || true
    DOCKERD_PID=""
}

# CPU clock ticks of dockerd and its children (containerd), with the children they waited for
# (runc and RUN's processes): BuildKit's work happens there, not in the docker CLI.
daemon_ticks() {  # -> "USER SYSTEM"
    local p
    for p in "$DOCKERD_PID" $(ps -o pid= --ppid "$DOCKERD_PID"); do cat "/proc/$p/stat" 2>/dev/null || true; done \
        | awk '{ u += $14 + $16; s += $15 + $17 } END { print u + 0, s + 0 }'
}

# --- a loopback registry, for W4 -------------------------------------------------------------

REGISTRY="" REGISTRY_PID=""

registry_start() {  # DIR: an empty CNCF registry on 127.0.0.1 storing under DIR; sets REGISTRY (host:port)
    local dir="$1" port i
    mkdir -p "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf '%s\n' "version: 0.1" "log:" "  level: warn" "  accesslog:" "    disabled: true" \
        "storage:" "  filesystem:" "    rootdirectory: $dir/storage" "http:" "  addr: 127.0.0.1:$port" >"$dir/config.yml"
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    REGISTRY_PID=$! REGISTRY="127.0.0.1:$port"
    for ((i = 0; i < 200; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$REGISTRY_PID" 2>/dev/null || break
        sleep 0.1
    done
    say "docker-registry did not start; its log:"; cat "$dir/registry.log" >&2
    return 1
}

registry_stop() {
    [ -n "$REGISTRY_PID" ] || return 0
    kill -TERM "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
    REGISTRY_PID=""
}

registry_bytes() {  # DIR: the bytes of the blobs (layers, config, manifest) the registry stores
    find "$1/storage" -path '*/blobs/*' -name data -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
}

stop_daemons() { registry_stop; docker_stop; }
trap stop_daemons EXIT

# --- timing ------------------------------------------------------------------------------------

# timed CMD...: runs CMD under GNU time; TIMING holds "wall user sys maxrss_kb" (tab-separated).
timed() {
    local out="$RUN_DIR/time.out"
    /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$out" "$@" >"$RUN_DIR/cmd.out" 2>"$RUN_DIR/cmd.err" || {
        say "failed: $*"; cat "$RUN_DIR/cmd.err" >&2; return 1; }
    TIMING=$(tail -n1 "$out")
}

# timed_tool TOOL CMD...: timed; for BuildKit the daemon's CPU is added and the RSS is
# dockerd's peak so far (VmHWM; the CLI's own is small), since the build happens in the daemon.
timed_tool() {
    local tool="$1" before after rss
    shift
    [ "$tool" = buildkit ] || { timed "$@"; return; }
    before=$(daemon_ticks)
    timed "$@"
    after=$(daemon_ticks)
    rss=$(awk '/^VmHWM/ {print $2}' "/proc/$DOCKERD_PID/status")
    TIMING=$(awk -F'\t' -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" -v rss="$rss" '
        BEGIN { OFS = "\t"; split(b, x, " "); split(a, y, " ") }
        { print $1, sprintf("%.2f", $2 + (y[1] - x[1]) / hz), sprintf("%.2f", $3 + (y[2] - x[2]) / hz), (rss > $4 ? rss : $4) }' <<<"$TIMING")
}

record() {  # WORKLOAD VARIANT TOOL RUN BYTES (run 0 is the warm-up and is not recorded)
    [ "$4" -gt 0 ] || return 0
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$TIMING" "$5" >>"$RAW"
}

# Timed runs for a workload whose warm-up took WALL seconds.
runs_after_warmup() {
    if awk -v w="$1" 'BEGIN { exit !(w > 60) }'; then echo "$LONG_RUNS"; else echo "$RUNS"; fi
}

# alternate WORKLOAD VARIANT STEP TOOL...: a warm-up (run 0), then the timed runs, the tools in
# turn within each run. 'STEP TOOL I' makes one timed step and may set BYTES. The number of timed
# runs follows the first tool's warm-up, unless FIXED_RUNS is set; ALT_RUNS says how many it was.
alternate() {
    local w="$1" v="$2" step="$3" n="${FIXED_RUNS:-0}" i=0 tool
    shift 3
    while [ "$i" -le "$n" ]; do
        for tool in "$@"; do
            BYTES=-
            "$step" "$tool" "$i"
            record "$w" "$v" "$tool" "$i" "$BYTES"
            say "$w $v $tool run $i: $(cut -f1 <<<"$TIMING") s, bytes $BYTES"
            if [ "$i" -eq 0 ] && [ "$tool" = "$1" ] && [ -z "${FIXED_RUNS:-}" ]; then
                n=$(runs_after_warmup "$(cut -f1 <<<"$TIMING")")
            fi
        done
        i=$((i + 1))
    done
    ALT_RUNS=$n
}

# --- workloads ---------------------------------------------------------------------------------

# W1/W6: a working container gains TREE under /data (untimed, then sync); commit alone is timed.
commit_workload() {  # NAME TREE VARIANT...
    local name="$1" tree="$2"; shift 2
    local variant store tool i n c bytes
    for variant in "$@"; do
        past_deadline && { SKIPPED+=("$name/$variant (time box)"); continue; }
        store="$RUN_DIR/$name-$variant"
        for tool in kiln buildah; do commit_flags "$tool" "$variant" && make_base "$tool" "$store"; done
        settle
        n=0 i=0
        while [ "$i" -le "$n" ]; do
            for tool in kiln buildah; do
                commit_flags "$tool" "$variant" || continue
                tool_cmd "$tool" "$store"
                c=$("${CMD[@]}" from bb)
                "${CMD[@]}" add "$c" "$tree" /data >/dev/null
                sync
                timed "${CMD[@]}" commit "${FLAGS[@]}" "$c" "$name-$variant-$i"
                bytes=$(top_layer_bytes "$tool" "$store" "$name-$variant-$i")
                record "$name" "$variant" "$tool" "$i" "$bytes"
                say "$name $variant $tool run $i: $(cut -f1 <<<"$TIMING") s, layer $bytes bytes"
                if [ "$i" -eq 0 ] && [ "$tool" = kiln ]; then n=$(runs_after_warmup "$(cut -f1 <<<"$TIMING")"); fi
            done
            i=$((i + 1))
        done
        [ "${BENCH_KEEP:-0}" = 1 ] || delete_tree "$store"
        RAN+=("$name/$variant")
    done
}

w1() { commit_workload w1 "$W1_TREE" default gzip squash zstd; }
w6() { commit_workload w6 "$W6_TREE" default; }

# --- W2, W3: Dockerfile builds (bench/w2.Dockerfile over the generated context) ----------------

# BUILD_TOOLS: kiln and buildah with the base 'bb' in their stores under STORE, and BuildKit in a
# dockerd of its own when it starts, with kiln's bb loaded under the same name (localhost/bb).
build_tools_ready() {  # STORE WORKLOAD
    local tool
    BUILD_TOOLS=(kiln buildah)
    for tool in kiln buildah; do make_base "$tool" "$1"; done
    if docker_start "$1/docker"; then
        "$repo/kiln" --root "$1/kiln" push bb "docker-archive:$1/bb.tar:localhost/bb:latest" >/dev/null
        "$DOCKER" -H "unix://$DOCKER_SOCK" load -i "$1/bb.tar" >/dev/null
        BUILD_TOOLS+=(buildkit)
    else
        SKIPPED+=("$2 with BuildKit (dockerd did not start, see the log above)")
    fi
}

build_flags() {  # TOOL MODE -> FLAGS; MODE: cold (a layer per step, no cache), cold-one-layer, cached
    case "$1:$2" in
        kiln:cold) FLAGS=(--no-cache) ;;
        kiln:cold-one-layer) FLAGS=(--no-cache --layers=false) ;;
        kiln:cached) FLAGS=() ;;                          # the build cache is on by default
        buildah:cold) FLAGS=(--layers --no-cache) ;;
        buildah:cold-one-layer) FLAGS=(--layers=false) ;; # buildah's default: one layer, no cache
        buildah:cached) FLAGS=(--layers) ;;
        buildkit:cold) FLAGS=(--no-cache) ;;
        buildkit:cached) FLAGS=() ;;
        *) return 1 ;;
    esac
    FLAGS+=(--network host)   # kiln's default; the others would set up a network per RUN
}

build_image() {  # TOOL STORE MODE TAG CONTEXT: one timed build
    build_flags "$1" "$3"
    tool_cmd "$1" "$2"
    timed_tool "$1" "${CMD[@]}" build "${FLAGS[@]}" -f "$DOCKERFILE" -t "$4" "$5"
}

# W2: no cache. 'cold': a layer per RUN/COPY in every tool (kiln build --no-cache; buildah build
# --layers --no-cache; BuildKit build --no-cache, in a daemon started for W2 whose builder cache
# is empty). 'cold-one-layer': kiln --layers=false against buildah's default (one layer, no
# cache); BuildKit has no such mode. Every run builds a context path not built before (a
# hard-linked copy of the context), since BuildKit keeps the context it received per path and
# would only receive the difference.
w2() {
    past_deadline && { SKIPPED+=("w2 (time box)"); return; }
    need_data context "$CONTEXT"
    W2_STORE="$RUN_DIR/w2"
    build_tools_ready "$W2_STORE" w2
    settle
    W2_MODE=cold; alternate w2 cold w2_step "${BUILD_TOOLS[@]}"
    W2_MODE=cold-one-layer; alternate w2 cold-one-layer w2_step kiln buildah
    docker_stop
    [ "${BENCH_KEEP:-0}" = 1 ] || delete_tree "$W2_STORE"
    RAN+=("w2/cold (${BUILD_TOOLS[*]})" "w2/cold-one-layer (kiln buildah)")
}

w2_step() {  # TOOL I
    local ctx="$W2_STORE/ctx-$W2_MODE-$2"
    [ -d "$ctx" ] || { cp -al "$CONTEXT" "$ctx"; sync; }
    build_image "$1" "$W2_STORE" "$W2_MODE" "w2-$W2_MODE-$2" "$ctx"
}

# W3: the same Dockerfile again after a first build (untimed) in each tool's store: 'unchanged'
# (every step from the cache), and 'last-copy-changed' (conf/app.conf, the last COPY's source,
# gains a line before each run, so only that COPY runs again). kiln build (its cache is on by
# default); buildah build --layers; BuildKit build. One context directory for all runs.
w3() {
    past_deadline && { SKIPPED+=("w3 (time box)"); return; }
    need_data context "$CONTEXT"
    W3_STORE="$RUN_DIR/w3"
    build_tools_ready "$W3_STORE" w3
    cp -a "$CONTEXT" "$W3_STORE/ctx"   # a copy: conf/app.conf changes
    local tool
    for tool in "${BUILD_TOOLS[@]}"; do build_image "$tool" "$W3_STORE" cached w3-first "$W3_STORE/ctx"; done
    settle
    W3_CHANGE=0; alternate w3 unchanged w3_step "${BUILD_TOOLS[@]}"
    W3_CHANGE=1; alternate w3 last-copy-changed w3_step "${BUILD_TOOLS[@]}"
    docker_stop
    [ "${BENCH_KEEP:-0}" = 1 ] || delete_tree "$W3_STORE"
    RAN+=("w3/unchanged w3/last-copy-changed (${BUILD_TOOLS[*]})")
}

w3_step() {  # TOOL I
    if [ "$W3_CHANGE" = 1 ] && [ "$1" = "${BUILD_TOOLS[0]}" ]; then
        echo "# changed before run $2" >>"$W3_STORE/ctx/conf/app.conf"
    fi
    build_image "$1" "$W3_STORE" cached "w3-$W3_CHANGE-$2" "$W3_STORE/ctx"
}

# --- W4: push and pull through the CNCF registry on 127.0.0.1 ----------------------------------

# The image 'w4': busybox and src/ as one layer, lib/ and rand/ as one layer each (~300 MB,
# stored uncompressed by both tools), in STORE; no working container is left.
w4_image() {  # TOOL STORE
    local c
    tool_cmd "$1" "$2"
    c=$("${CMD[@]}" from scratch)
    "${CMD[@]}" add "$c" "$ROOTFS" / >/dev/null
    "${CMD[@]}" add "$c" "$W4_TREE/src" /data/src >/dev/null
    "${CMD[@]}" commit -q "$c" w4-1 >/dev/null; "${CMD[@]}" rm "$c" >/dev/null
    c=$("${CMD[@]}" from w4-1)
    "${CMD[@]}" add "$c" "$W4_TREE/lib" /data/lib >/dev/null
    "${CMD[@]}" commit -q "$c" w4-2 >/dev/null; "${CMD[@]}" rm "$c" >/dev/null
    c=$("${CMD[@]}" from w4-2)
    "${CMD[@]}" add "$c" "$W4_TREE/rand" /data/rand >/dev/null
    "${CMD[@]}" commit -q "$c" w4 >/dev/null; "${CMD[@]}" rm "$c" >/dev/null
}

# W4. 'push': the image to an empty registry (a new one per run), gzip: kiln push (from a fresh
# copy of its store each run: kiln keeps the compressed layers of a push and would reuse them);
# buildah push --tls-verify=false; skopeo copy from kiln's store (an OCI layout) for the transfer
# and compression alone. 'push-again': the same store pushed again to another empty registry,
# where kiln compresses nothing; buildah has no such reuse, so it does its push again; skopeo
# copies an OCI layout whose layers are already gzip (made once, untimed, by skopeo
# --dest-compress from kiln's store): issue 7's peer for a push with nothing to compress.
# 'pull': the image (put there once by skopeo) into an empty store, then 'from' it: kiln pull +
# from; buildah pull + from; skopeo copy to an empty OCI layout (the transfer alone, no unpack).
# Bytes: what the registry stores after the push / what it serves to the pull.
w4() {
    past_deadline && { SKIPPED+=("w4 (time box)"); return; }
    need_data layers "$W4_TREE"
    W4_STORE="$RUN_DIR/w4"
    w4_image kiln "$W4_STORE/prep"
    w4_image buildah "$W4_STORE/prep"
    settle
    alternate w4 push w4_push kiln buildah skopeo
    skopeo copy -q --dest-compress --dest-compress-format gzip \
        "oci:$W4_STORE/prep/kiln:localhost/w4:latest" "oci:$W4_STORE/skopeo-gz:w4"
    settle
    FIXED_RUNS=$ALT_RUNS alternate w4 push-again w4_push_again kiln buildah skopeo
    registry_start "$W4_STORE/reg-pull"
    skopeo copy -q --dest-tls-verify=false "oci:$W4_STORE/prep/kiln:localhost/w4:latest" "docker://$REGISTRY/w4:latest"
    W4_PULL_BYTES=$(registry_bytes "$W4_STORE/reg-pull")
    alternate w4 pull w4_pull kiln buildah skopeo
    registry_stop
    [ "${BENCH_KEEP:-0}" = 1 ] || delete_tree "$W4_STORE"
    RAN+=("w4/push w4/pull w4/push-again (kiln buildah skopeo)")
}

w4_push() {  # TOOL I
    local src="$W4_STORE/prep" reg="$W4_STORE/reg-push-$1-$2"
    if [ "$1" = kiln ]; then
        src="$W4_STORE/kiln-push-$2"
        mkdir -p "$src"; cp -a "$W4_STORE/prep/kiln" "$src/"; sync
    fi
    w4_push_to "$1" "$src" "$reg"
}

w4_push_again() {  # TOOL I: kiln's store of push run I, pushed once already
    local src="$W4_STORE/prep"
    [ "$1" = kiln ] && src="$W4_STORE/kiln-push-$2"
    SKOPEO_SRC="oci:$W4_STORE/skopeo-gz:w4" w4_push_to "$1" "$src" "$W4_STORE/reg-again-$1-$2"
}

w4_push_to() {  # TOOL STORE REGISTRY_DIR
    registry_start "$3"
    tool_cmd "$1" "$2"
    case "$1" in
        kiln) timed "${CMD[@]}" push w4 "$REGISTRY/w4:latest" ;;
        buildah) timed "${CMD[@]}" push --tls-verify=false w4 "docker://$REGISTRY/w4:latest" ;;
        skopeo) timed skopeo copy --dest-tls-verify=false "${SKOPEO_SRC:-oci:$2/kiln:localhost/w4:latest}" "docker://$REGISTRY/w4:latest" ;;
    esac
    registry_stop
    BYTES=$(registry_bytes "$3")
}

w4_pull() {  # TOOL I
    local ref="$REGISTRY/w4:latest" store="$W4_STORE/pull-$1-$2"
    tool_cmd "$1" "$store"
    case "$1" in
        kiln) timed bash -c 'r=$1; shift; "$@" pull "$r" >/dev/null && "$@" from "$r" >/dev/null' _ "$ref" "${CMD[@]}" ;;
        buildah) timed bash -c 'r=$1; shift; "$@" pull --tls-verify=false "$r" >/dev/null && "$@" from --tls-verify=false "$r" >/dev/null' \
                   _ "$ref" "${CMD[@]}" ;;
        skopeo) timed skopeo copy --src-tls-verify=false "docker://$ref" "oci:$store:w4" ;;
    esac
    BYTES=$W4_PULL_BYTES
}

# W5: 'run -- true' in an existing working container; and from + run + rm. Cheap, so always at
# least 5 timed runs.
w5() {
    local store="$RUN_DIR/w5" tool i runs=$(( RUNS > 5 ? RUNS : 5 ))
    declare -A ctr=()
    past_deadline && { SKIPPED+=("w5 (time box)"); return; }
    for tool in kiln buildah; do
        make_base "$tool" "$store"
        tool_cmd "$tool" "$store"
        ctr[$tool]=$("${CMD[@]}" from bb)
    done
    settle
    for ((i = 0; i <= runs; i++)); do
        for tool in kiln buildah; do
            tool_cmd "$tool" "$store"
            timed "${CMD[@]}" run "${ctr[$tool]}" -- true
            record w5 run-true "$tool" "$i" -
        done
    done
    for ((i = 0; i <= runs; i++)); do
        for tool in kiln buildah; do
            tool_cmd "$tool" "$store"
            timed bash -c 'c=$("$@" from bb) && "$@" run "$c" -- true && "$@" rm "$c" >/dev/null' _ "${CMD[@]}"
            record w5 from-run-rm "$tool" "$i" -
        done
    done
    [ "${BENCH_KEEP:-0}" = 1 ] || delete_tree "$store"
    RAN+=("w5/run-true" "w5/from-run-rm")
}

# The machine's limits on the W1 data: what tar, compressors, sha256 and the disk can do.
limits() {
    local tarball="$W1_TAR" tar_bytes="$W1_BYTES" i p
    past_deadline && { SKIPPED+=("limits (time box)"); return; }
    settle
    for ((i = 0; i <= RUNS; i++)); do
        cat "$tarball" >/dev/null   # keep it in the page cache: measure the CPU, not the read
        timed bash -c 'tar -C "$1" -cf - . | cat >/dev/null' _ "$W1_TREE"; record limits tar-pipe machine "$i" "$tar_bytes"
        timed bash -c 'gzip -6 <"$1" >/dev/null' _ "$tarball";            record limits gzip-6-1core machine "$i" "$tar_bytes"
        timed bash -c 'pigz -6 -p "$2" <"$1" >/dev/null' _ "$tarball" "$(nproc)"; record limits pigz-6-allcores machine "$i" "$tar_bytes"
        timed bash -c 'zstd -q -3 -T1 <"$1" >/dev/null' _ "$tarball";     record limits zstd-3-1core machine "$i" "$tar_bytes"
        timed bash -c 'zstd -q -3 -T0 <"$1" >/dev/null' _ "$tarball";     record limits zstd-3-allcores machine "$i" "$tar_bytes"
        timed sha256sum "$tarball";                                       record limits sha256sum machine "$i" "$tar_bytes"
        p="$RUN_DIR/dd-$i"
        timed dd if="$tarball" of="$p" bs=1M conv=fsync status=none;      record limits write-fsync machine "$i" "$tar_bytes"
    done
    RAN+=("limits")
}

past_deadline() {
    [ -n "${BENCH_UNTIL:-}" ] || return 1
    [ "$(date -u +%H%M)" -ge "${BENCH_UNTIL/:/}" ]
}

# --- report ------------------------------------------------------------------------------------

machine_facts() {
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host kernel $(uname -r)"
    echo "- CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "- disk under \$BENCH_DIR: $(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$BENCH_DIR"), $(df -h --output=size "$BENCH_DIR" | tail -n1 | tr -d ' ') total"
    echo "- kiln $(git -C "$repo" rev-parse --short HEAD) ($("$repo/kiln" --version 2>/dev/null | head -n1)), $(java_version)"
    echo "- $(buildah --version), $(skopeo --version), $(podman --version), $(runc --version | head -n1)"
    echo "- $(dockerd --version 2>/dev/null || echo 'no dockerd'), $(docker-registry --version 2>/dev/null | head -n1 || echo 'no docker-registry')"
    echo "- $(gzip --version | head -n1), pigz $(pigz --version 2>&1 | cut -d' ' -f2), $(zstd --version | head -n1 | tr -d "*" | sed "s/^ *//; s/, by.*//"), $(tar --version | head -n1)"
}

java_version() {
    local j; j=$(sed -n 's/.*JAVA_HOME=//p' ~/.mavenrc 2>/dev/null | tr -d '"' | head -n1)
    "${j:-/usr}/bin/java" -version 2>&1 | head -n1
}

describe_workloads() {
    local scale=""
    [ "$SCALE" = 1 ] || scale=" **Data scaled by BENCH_SCALE=$SCALE: not the issue's sizes.**"
    echo "Ratios are kiln/peer wall time per pair (run i of each), then their median; below 1 means"
    echo "kiln is faster. CPU is user + system seconds of the command and the children it waited for;"
    echo "for BuildKit, dockerd's and containerd's CPU during the build is added and peak RSS is"
    echo "dockerd's peak since it started (the build runs there, not in the docker CLI).$scale"
    echo
    echo "- W1: a busybox working container gains $(find "$W1_TREE" -type f | wc -l) files in $(find "$W1_TREE" -type d | wc -l) directories,"
    echo "  $((W1_BYTES / 1000000)) MB as a tarball, under /data (untimed add + sync); only \`commit\` is timed."
    echo "  W6: the same with $(find "$W6_TREE" -type f | wc -l) tiny files. Bytes: the new top layer's blob as stored."
    if [ -d "$CONTEXT" ]; then
        echo "- W2/W3: \`bench/w2.Dockerfile\` (FROM + 10 steps: 4 RUN, 2 COPY, 2 ENV, LABEL, WORKDIR) over a"
        echo "  context of $(find "$CONTEXT" -type f | wc -l) files, $(du -sm "$CONTEXT" | cut -f1) MB; every build with --network host."
        echo "  W2 cold: kiln \`build --no-cache\`, buildah \`build --layers --no-cache\`, BuildKit"
        echo "  \`DOCKER_BUILDKIT=1 docker build --no-cache\` (dockerd $(dockerd --version 2>/dev/null | cut -d' ' -f3 | tr -d ,), started for the workload),"
        echo "  each run on a context path not built before; cold-one-layer: kiln \`--layers=false\` vs buildah's"
        echo "  default. W3 after one untimed build: unchanged, and last-copy-changed (a line appended to"
        echo "  conf/app.conf, the last COPY's source, before each run); kiln \`build\`, buildah \`build --layers\`,"
        echo "  BuildKit \`build\`."
    fi
    if [ -d "$W4_TREE" ]; then
        echo "- W4: a 3-layer image of $(du -sm "$W4_TREE" | cut -f1) MB (busybox + text, binaries, random bytes), stored"
        echo "  uncompressed, through \`docker-registry serve\` on 127.0.0.1 (an empty registry per push)."
        echo "  push: kiln \`push\` (a fresh copy of its store each run), buildah \`push --tls-verify=false\`,"
        echo "  skopeo \`copy oci:KILN-STORE docker://\`, all gzip; push-again: kiln's second push of the same"
        echo "  store to another empty registry (nothing to compress) against buildah's push again; pull: into"
        echo "  an empty store, then \`from\` (kiln, buildah), and skopeo \`copy docker:// oci:\` (transfer only)."
        echo "  Bytes: the registry's blobs after the push, or those the pull read."
    fi
    echo "- W5: \`run -- true\` in an existing container, and \`from\` + \`run\` + \`rm\` as one timed step."
}

write_results() {  # OUT
    {
        echo "# kiln benchmarks (issue 7)"
        echo
        echo "Generated by \`bench/run.sh ${WORKLOADS[*]}\` with BENCH_RUNS=$RUNS, BENCH_LONG_RUNS=$LONG_RUNS"
        echo "(one warm-up run first, not counted), seed $SEED. Replaced by every full run."
        echo
        echo "## Machine"
        echo
        machine_facts
        echo
        echo "## What ran"
        echo
        echo "- ran: ${RAN[*]:-nothing}"
        echo "- skipped: ${SKIPPED[*]:-nothing}"
        echo
        echo "## Results"
        echo
        describe_workloads
        echo
        python3 "$here/stats.py" "$RAW" --input-bytes "$W1_BYTES"
        if [ -n "${BENCH_NOTES:-}" ]; then echo; cat "$BENCH_NOTES"; fi
    } >"$1"
}

main() {
    WORKLOADS=("$@")
    [ "${#WORKLOADS[@]}" -gt 0 ] || WORKLOADS=("${ALL_WORKLOADS[@]}")
    local w
    for w in "${WORKLOADS[@]}"; do
        case " ${ALL_WORKLOADS[*]} " in *" $w "*) ;; *) echo "bench/run.sh: unknown workload $w (known: ${ALL_WORKLOADS[*]})" >&2; exit 2 ;; esac
    done
    [ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root (runc, overlay mounts, apt-get)" >&2; exit 2; }
    install_tools
    "$repo/kiln" --version >/dev/null   # builds kiln on first use, before anything is timed
    mkdir -p "$BENCH_DIR"
    RUN_DIR="$BENCH_DIR/run-$(date -u +%Y%m%d-%H%M%S)"
    mkdir -p "$RUN_DIR"
    RAW="$RUN_DIR/raw.tsv"
    printf 'workload\tvariant\ttool\trun\twall_s\tuser_s\tsys_s\tmaxrss_kb\tbytes\n' >"$RAW"
    make_data
    for w in "${ALL_WORKLOADS[@]}"; do
        case " ${WORKLOADS[*]} " in
            *" $w "*) say "workload $w"; "$w" ;;
            *) SKIPPED+=("$w (not asked for)") ;;
        esac
    done
    local out="$RUN_DIR/RESULTS.md"
    [ "$#" -eq 0 ] && [ "$SCALE" = 1 ] && out="$here/RESULTS.md"   # a smoke or partial run: its run directory only
    write_results "$out"
    [ "${BENCH_KEEP:-0}" = 1 ] || delete_tree "$RUN_DIR"/dd-* 2>/dev/null || true
    say "ran: ${RAN[*]:-nothing}"
    say "skipped: ${SKIPPED[*]:-nothing}"
    say "results: $out (raw: $RAW)"
    cat "$out"
}

main "$@"
