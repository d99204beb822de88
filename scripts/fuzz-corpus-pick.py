#!/usr/bin/env python3
"""Adds to a fuzz target's committed seeds the few found inputs that add the most coverage.

Usage: scripts/fuzz-corpus-pick.py TARGET FOUND_DIR COUNT

Runs libFuzzer's merge (cargo +nightly fuzz, -use_counters=0) over fuzz/corpus/TARGET, then
FOUND_DIR, recording each input's new edges in a control file; then copies into
fuzz/corpus/TARGET, named by the SHA-1 of their content, up to COUNT inputs of FOUND_DIR chosen
greedily by the edges they add beyond the seeds and the inputs already chosen. `cargo fuzz cmin`
keeps every input that adds an edge, over a thousand per target here; see docs/FUZZING.md.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

MIN_NEW_EDGES = 2


def main():
    target, found, count = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    corpus = os.path.join(root, "fuzz", "corpus", target)
    with tempfile.TemporaryDirectory() as scratch:
        seeds = os.path.join(scratch, "seeds")  # merge writes into its first folder: a copy
        shutil.copytree(corpus, seeds)
        control = os.path.join(scratch, "merge.ctl")
        subprocess.run(
            ["cargo", "+nightly", "fuzz", "run", "-O", "-a", "-s", "none", target, seeds, found,
             "--", "-merge=1", "-use_counters=0", f"-merge_control_file={control}"],
            cwd=root, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = open(control).read().split("\n")
        total, first = int(lines[0]), int(lines[1])
        paths = lines[2:2 + total]
        edges = {}
        for line in lines[2 + total:]:
            if line.startswith("COV "):
                index, *covered = line.split()[1:]
                edges[int(index)] = set(covered)
        covered = set().union(*(edges.get(i, set()) for i in range(first)))
        known = {sha1(paths[i]) for i in range(first)}
        candidates = {i: edges.get(i, set()) - covered for i in range(first, total)}
        added = 0
        while added < count and candidates:
            best = max(candidates,
                       key=lambda i: (len(candidates[i]), -os.path.getsize(paths[i])))
            gain = candidates.pop(best)
            if len(gain) < MIN_NEW_EDGES:
                break
            digest = sha1(paths[best])
            if digest in known:
                continue
            known.add(digest)
            shutil.copyfile(paths[best], os.path.join(corpus, digest))
            covered |= gain
            added += 1
            for i in candidates:
                candidates[i] -= gain
        print(f"{target}: added {added} inputs; the corpus reaches {len(covered)} of "
              f"{len(set().union(*edges.values()))} edges")


def sha1(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


if __name__ == "__main__":
    main()
