#!/usr/bin/env python3
"""Generates bench/run.sh's input trees, deterministically from a seed.

gen-data.py large DIR [SEED [SCALE]]    ~20k files, ~500 MB: source-like text (~53%), binaries
                                        copied from /usr/lib (~30%), random bytes (~15%)
gen-data.py small DIR [SEED [SCALE]]    100k tiny files (16-256 bytes) in 1000 directories
gen-data.py context DIR [SEED [SCALE]]  a build context: src/ with 5k source-like files (~50 MB),
                                        conf/ with 3 small files (W2/W3's last COPY)
gen-data.py layers DIR [SEED [SCALE]]   ~300 MB in three parts for a 3-layer image: src/ (text,
                                        120 MB), lib/ (binaries, 100 MB), rand/ (random, 80 MB)
SCALE (default 1) multiplies the sizes and counts, for smoke runs (bench/run.sh's BENCH_SCALE).
The binaries depend on what /usr/lib holds on the machine; the rest depends only on the seed.
Writes into DIR.tmp and renames, so a half-made tree is never taken for a finished one.
"""
import os
import random
import shutil
import sys

MB = 1 << 20
WORDS = ("int long return static final void class public private if else for while "
         "import package struct const char buffer size offset digest layer image commit "
         "error path name value index count tar gzip zstd json config manifest blob").split()


def source_line(rng):
    indent = "    " * rng.randint(0, 3)
    return indent + " ".join(rng.choices(WORDS, k=rng.randint(2, 12))) + ";\n"


def make_text(rng, root, budget, max_files=None):
    lines = [source_line(rng) for _ in range(20000)]
    made, n = 0, 0
    while made < budget and (max_files is None or n < max_files):
        d = os.path.join(root, "src", f"m{n % 400:03d}", f"p{n % 37:02d}")
        os.makedirs(d, exist_ok=True)
        body = "".join(rng.choices(lines, k=rng.randint(20, 500))).encode()
        with open(os.path.join(d, f"f{n:05d}.java"), "wb") as f:
            f.write(body)
        made, n = made + len(body), n + 1
    return n


def make_binaries(rng, root, budget):
    candidates = []
    for base, _, files in os.walk("/usr/lib"):
        for name in files:
            p = os.path.join(base, name)
            if os.path.isfile(p) and not os.path.islink(p) and 4096 <= os.path.getsize(p) <= 8 * MB:
                candidates.append(p)
    candidates.sort()
    rng.shuffle(candidates)
    made, n = 0, 0
    for p in candidates:
        if made >= budget:
            break
        dst = os.path.join(root, "lib", p.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        try:
            shutil.copyfile(p, dst)
        except OSError:
            continue
        made, n = made + os.path.getsize(dst), n + 1
    return n


def make_random(rng, root, budget):
    d = os.path.join(root, "rand")
    os.makedirs(d)
    made, n = 0, 0
    while made < budget:
        size = rng.randint(16 * 1024, 512 * 1024)
        with open(os.path.join(d, f"r{n:04d}.bin"), "wb") as f:
            f.write(rng.randbytes(size))
        made, n = made + size, n + 1
    return n


def large(root, rng, scale):
    n = make_text(rng, root, 200 * MB * scale)
    n += make_binaries(rng, root, 140 * MB * scale)
    n += make_random(rng, root, 75 * MB * scale)
    return n


def small(root, rng, scale):
    count = max(1, round(100_000 * scale))
    for i in range(count):
        d = os.path.join(root, f"d{i % 1000:03d}")
        if i < 1000:
            os.makedirs(d)
        with open(os.path.join(d, f"s{i:06d}.txt"), "wb") as f:
            f.write(rng.randbytes(rng.randint(8, 128)).hex().encode())
    return count


def context(root, rng, scale):
    # The file count is what a build's COPY and a cache check pay for; the bytes follow from it.
    n = make_text(rng, root, float("inf"), max_files=max(1, round(5000 * scale)))
    conf = os.path.join(root, "conf")
    os.makedirs(conf)
    for name in ("app.conf", "logging.conf", "limits.conf"):
        with open(os.path.join(conf, name), "w") as f:
            f.write("".join(source_line(rng) for _ in range(20)))
    return n + 3


def layers(root, rng, scale):
    n = make_text(rng, root, 120 * MB * scale)
    n += make_binaries(rng, root, 100 * MB * scale)
    n += make_random(rng, root, 80 * MB * scale)
    return n


def main(kind, out, seed=7, scale=1):
    rng = random.Random(int(seed))
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    n = {"large": large, "small": small, "context": context, "layers": layers}[kind](tmp, rng, float(scale))
    os.rename(tmp, out)
    print(f"gen-data: {kind}: {n} files in {out}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
