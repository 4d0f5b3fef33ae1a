#!/usr/bin/env python3
"""Summarises bench/run.sh's raw timings as markdown tables.

stats.py RAW.tsv [--input-bytes N]
RAW.tsv rows: workload  variant  tool  run  wall_s  user_s  sys_s  maxrss_kb  bytes
(bytes is '-' where it does not apply: a commit's new layer, a build's image, a push's bytes in
the registry). Runs with the same (workload, variant, run) index form a kiln/peer pair; the
ratio column is, for each peer (buildah, buildkit, skopeo), the median of the per-pair
wall-time ratios. One table per workload.
Rows of the tool 'machine' are the machine's limits (bytes = input bytes); with --input-bytes
(the W1 tree's size) W1's commits are also shown as throughput, as a fraction of those limits.
"""
import collections
import statistics
import sys


def fmt_bytes(n):
    return "-" if n is None else f"{n / 1e6:.1f} MB"


# Which machine limits bound each W1 commit variant.
RELEVANT = {
    "default": ["tar-pipe", "sha256sum", "write-fsync"],
    "squash": ["tar-pipe", "sha256sum", "write-fsync"],
    "gzip": ["gzip-6-1core", "pigz-6-allcores"],
    "zstd": ["zstd-3-1core", "zstd-3-allcores"],
}


def limits_tables(rows, input_bytes):
    limit = {}
    print()
    print("Machine limits on the W1 data (its tarball in the page cache; tar-pipe reads the tree):")
    print()
    print("| step | runs | wall median (min–max) s | CPU median s | MB/s |")
    print("|---|---|---|---|---|")
    for (w, v, tool), r in sorted(rows.items()):
        if tool != "machine":
            continue
        wall = statistics.median(x[1] for x in r)
        limit[v] = r[0][4] / wall / 1e6
        print(f"| {v} | {len(r)} | {wall:.2f} ({min(x[1] for x in r):.2f}–{max(x[1] for x in r):.2f}) "
              f"| {statistics.median(x[2] for x in r):.2f} | {limit[v]:.0f} |")
    if not input_bytes:
        return
    print()
    print(f"W1 commit throughput ({input_bytes / 1e6:.0f} MB of files / median wall), as a fraction of the limits:")
    print()
    print("| variant | tool | MB/s | fraction of limits |")
    print("|---|---|---|---|")
    for (w, v, tool), r in sorted(rows.items()):
        if w != "w1" or tool == "machine":
            continue
        mbs = input_bytes / statistics.median(x[1] for x in r) / 1e6
        frac = ", ".join(f"{mbs / limit[l]:.0%} of {l}" for l in RELEVANT.get(v, []) if l in limit)
        print(f"| {v} | {tool} | {mbs:.0f} | {frac or '-'} |")


def ratios(rows, w, v, r):
    """kiln/peer wall time for each peer of (w, v): the median of the per-pair ratios, and the pairs."""
    out = []
    for peer in sorted(k for k in rows if k[0] == w and k[1] == v and k[2] not in ("kiln", "machine")):
        walls = {x[0]: x[1] for x in rows[peer]}
        pairs = [x[1] / walls[x[0]] for x in r if x[0] in walls and walls[x[0]] > 0]
        if pairs:
            out.append(f"**{statistics.median(pairs):.2f}** vs {peer[2]} ("
                       + ", ".join(f"{p:.2f}" for p in pairs) + ")")
    return "; ".join(out) or "-"


def workload_table(rows, workload):
    print()
    print(f"### {workload}")
    print()
    print("| variant | tool | runs | wall median (min–max) s | CPU median s | peak RSS median MB | bytes | kiln/peer wall, median (per-pair) |")
    print("|---|---|---|---|---|---|---|---|")
    for (w, v, tool) in sorted(rows, key=lambda k: (k[0], k[1], k[2] != "kiln", k[2])):
        if w != workload or tool == "machine":
            continue
        r = rows[(w, v, tool)]
        walls = [x[1] for x in r]
        cpu = statistics.median(x[2] for x in r)
        rss = statistics.median(x[3] for x in r) / 1024
        sizes = [x[4] for x in r if x[4] is not None]
        size = fmt_bytes(statistics.median(sizes)) if sizes else "-"
        ratio = ratios(rows, w, v, r) if tool == "kiln" else "-"
        print(f"| {v} | {tool} | {len(r)} | {statistics.median(walls):.2f} "
              f"({min(walls):.2f}–{max(walls):.2f}) | {cpu:.2f} | {rss:.0f} | {size} | {ratio} |")


def main(path, input_bytes=None):
    rows = collections.defaultdict(list)
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) != 9 or f[0] == "workload":
            continue
        w, v, tool, run = f[0], f[1], f[2], int(f[3])
        wall, user, sys_, rss = float(f[4]), float(f[5]), float(f[6]), int(f[7])
        size = None if f[8] == "-" else int(f[8])
        rows[(w, v, tool)].append((run, wall, user + sys_, rss, size))

    for workload in sorted({k[0] for k in rows if k[2] != "machine"}):
        workload_table(rows, workload)
    if any(k[2] == "machine" for k in rows):
        limits_tables(rows, input_bytes)


if __name__ == "__main__":
    args = sys.argv[1:]
    n = int(args[args.index("--input-bytes") + 1]) if "--input-bytes" in args else None
    main(args[0], n)
