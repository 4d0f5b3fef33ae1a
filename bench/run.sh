#!/usr/bin/env bash
# kiln's benchmarks against buildah (issue 7):
#   bench/run.sh [WORKLOAD...]      workloads: w1 w5 w6 limits (default: all of them)
# Each workload runs kiln and buildah alternately (warm-up, then A B A B ...), each tool with its
# own store, and records wall time, CPU seconds and peak RSS of the command (GNU time, which
# counts the command and the children it waited for) and the new layer's bytes.
# A run with no WORKLOAD replaces bench/RESULTS.md; a partial run writes RESULTS.md in its run
# directory only.
#
# Environment:
#   BENCH_DIR         data, stores and raw results (default /var/tmp/kiln-bench); never the repo
#   BENCH_RUNS        timed runs per tool and variant (default 5)
#   BENCH_LONG_RUNS   timed runs when the warm-up took over a minute (default 3)
#   BENCH_SEED        seed of the generated data (default 7)
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
SETTLE_S=65
ALL_WORKLOADS=(w1 w5 w6 limits)
NOT_YET=("w2 build cold vs buildah" "w3 build cached vs buildah" "w4 push/pull vs buildah/skopeo on a loopback registry")

declare -a RAN=() SKIPPED=()
say() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- setup -----------------------------------------------------------------------------------

install_tools() {
    local -a missing=()
    local cmd pkg
    for pair in buildah:buildah skopeo:skopeo podman:podman runc:runc docker-registry:docker-registry \
                pigz:pigz zstd:zstd python3:python3 /usr/bin/time:time /bin/busybox:busybox-static; do
        cmd="${pair%%:*}" pkg="${pair#*:}"
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return
    say "installing from Debian: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
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
    rm -rf "$@"
    sync
    touch "$BENCH_DIR/.last-delete"
}

make_data() {
    mkdir -p "$BENCH_DIR/data"
    W1_TREE="$BENCH_DIR/data/w1-v3-seed$SEED"
    W6_TREE="$BENCH_DIR/data/w6-v1-seed$SEED"
    ROOTFS="$BENCH_DIR/data/busybox-rootfs.tar"
    [ -d "$W1_TREE" ] || python3 "$here/gen-data.py" large "$W1_TREE" "$SEED"
    [ -d "$W6_TREE" ] || python3 "$here/gen-data.py" small "$W6_TREE" "$SEED"
    [ -f "$ROOTFS" ] || "$repo/examples/busybox/make-rootfs.sh" "$ROOTFS"
    # The W1 tree as one tarball: the input of the machine-limit steps, and the byte count that
    # commit throughput is measured in (file data plus tar headers, as in the layer).
    W1_TAR="$W1_TREE.tar"
    [ -f "$W1_TAR" ] || tar -C "$W1_TREE" -cf "$W1_TAR" .
    W1_BYTES=$(stat -c %s "$W1_TAR")
    sync
}

# --- the two tools, behind the same verbs ------------------------------------------------------
# tool_* STORE ...: STORE is a directory holding that tool's store.

tool_cmd() {  # TOOL STORE -> the command prefix, in the array CMD
    case "$1" in
        kiln) CMD=("$repo/kiln" --root "$2/kiln") ;;
        buildah) CMD=(buildah --root "$2/buildah" --runroot "$2/buildah-run") ;;
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

# --- timing ------------------------------------------------------------------------------------

# timed CMD...: runs CMD under GNU time; TIMING holds "wall user sys maxrss_kb" (tab-separated).
timed() {
    local out="$RUN_DIR/time.out"
    /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$out" "$@" >"$RUN_DIR/cmd.out" 2>"$RUN_DIR/cmd.err" || {
        say "failed: $*"; cat "$RUN_DIR/cmd.err" >&2; return 1; }
    TIMING=$(tail -n1 "$out")
}

record() {  # WORKLOAD VARIANT TOOL RUN BYTES (run 0 is the warm-up and is not recorded)
    [ "$4" -gt 0 ] || return 0
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$TIMING" "$5" >>"$RAW"
}

# Timed runs for a workload whose warm-up took WALL seconds.
runs_after_warmup() {
    if awk -v w="$1" 'BEGIN { exit !(w > 60) }'; then echo "$LONG_RUNS"; else echo "$RUNS"; fi
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
    echo "- $(gzip --version | head -n1), pigz $(pigz --version 2>&1 | cut -d' ' -f2), $(zstd --version | head -n1 | tr -d "*" | sed "s/^ *//; s/, by.*//"), $(tar --version | head -n1)"
}

java_version() {
    local j; j=$(sed -n 's/.*JAVA_HOME=//p' ~/.mavenrc 2>/dev/null | tr -d '"' | head -n1)
    "${j:-/usr}/bin/java" -version 2>&1 | head -n1
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
        local w; for w in "${NOT_YET[@]}"; do echo "- not yet written: $w"; done
        echo
        echo "## Results"
        echo
        echo "W1: a busybox working container gains $(find "$W1_TREE" -type f | wc -l) files in $(find "$W1_TREE" -type d | wc -l) directories,"
        echo "$((W1_BYTES / 1000000)) MB as a tarball, under /data"
        echo "(untimed add + sync); only \`commit\` is timed. W6: the same with 100k tiny files. W5: \`run -- true\`"
        echo "in an existing container, and \`from\` + \`run\` + \`rm\` as one timed step. Layer bytes are the new"
        echo "top layer's blob as stored. Ratios are kiln/buildah wall time per pair (run i of each), then"
        echo "their median; below 1 means kiln is faster."
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
    [ "$#" -eq 0 ] && out="$here/RESULTS.md"
    write_results "$out"
    [ "${BENCH_KEEP:-0}" = 1 ] || delete_tree "$RUN_DIR"/dd-* 2>/dev/null || true
    say "ran: ${RAN[*]:-nothing}"
    say "skipped: ${SKIPPED[*]:-nothing}; not yet written: w2 w3 w4"
    say "results: $out (raw: $RAW)"
    cat "$out"
}

main "$@"
