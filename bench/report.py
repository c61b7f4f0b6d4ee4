#!/usr/bin/env python3
"""Turns bench.sh's measurement records into the table (stdout) and latest.json.

usage: report.py RECORDS.jsonl OUT.json FAILURES
Each figure is shown with its ratio to the floor of the same size in the same run: the floor is
the best of the repeated psql \\copy runs; for change files, the floor of as many rows.
"""
import json
import os
import platform
import subprocess
import sys

TARGETS = {
    "first_load": "<= 3x floor (100k, 1M)",
    "noop": "<= 1x floor, 0 tuples",
    "changed": "<= 1.5x floor",
    "normalise": "(not a target: the per-row normalisation alone, serial)",
    "verify": "(not a target: fleetfuel verify; its baseline is normalise)",
    "rules_upgrade": "(other rules installed, every row read, none changed)",
    "rules_rewrite": "(other rules installed, every row changed)",
}


def machine():
    def sh(cmd):
        try:
            return subprocess.check_output(cmd, shell=True, text=True).strip()
        except Exception:
            return ""
    mem_kib = int(sh("awk '/MemTotal/ {print $2}' /proc/meminfo") or 0)
    return {
        "nproc": os.cpu_count(),
        "cpu": sh("awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo"),
        "memory_mib": mem_kib // 1024,
        "load_average": os.getloadavg(),
        "kernel": platform.release(),
        "postgresql": sh("psql --version"),
    }


def main():
    records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    failures = [l.strip() for l in open(sys.argv[3]) if l.strip()]
    sizes = sorted({r["size"] for r in records})
    out = {"machine": machine(), "sizes": {}, "failures": failures}
    print()
    print(f"machine: {out['machine']['nproc']} cpu, {out['machine']['memory_mib']} MiB, "
          f"load {', '.join(f'{x:.1f}' for x in out['machine']['load_average'])}")
    head = (f"{'rows':>9} {'step':<13} {'wall s':>8} {'x floor':>8} {'rows/s':>10} {'cpu s':>7} "
            f"{'db cpu s':>8} {'RSS MiB':>8} {'ins/upd/del':>17} {'copy/apply/other ms':>22}")
    print(head)
    print("-" * len(head))
    for size in sizes:
        rs = [r for r in records if r["size"] == size]
        floors = [r for r in rs if r["step"].startswith("floor_") and r["exit"] == 0]
        floor = min(floors, key=lambda r: r["wall_s"]) if floors else None
        per_row = floor["wall_s"] / floor["rows"] if floor else None
        entry = {"floor": floor, "floor_runs_s": [r["wall_s"] for r in floors], "steps": {}}
        shown = ([floor] if floor else []) + [r for r in rs if r["step"] in
                                               ("first_load", "noop", "changed", "changes",
                                                              "bigchange", "normalise", "verify",

                                                              "rules_upgrade", "rules_rewrite")]
        for r in shown:
            step = "floor" if r["step"].startswith("floor_") else r["step"]
            ratio = r["wall_s"] / (per_row * r["rows"]) if per_row and r["wall_s"] else None
            t, s = r["tuples"], r["server"]
            rate = r["rows"] / r["wall_s"] if r["wall_s"] else 0
            print(f"{size:>9} {step:<13} {r['wall_s']:>8.2f} "
                  f"{(f'{ratio:.2f}' if ratio else '-'):>8} {rate:>10.0f} {r['cpu_s']:>7.2f} "
                  f"{r['db_cpu_s']:>8.2f} {r['peak_rss_kib'] / 1024:>8.1f} "
                  f"{t['ins']:>5}/{t['upd']}/{t['del']:<5} "
                  f"{s['copy_ms']:>7.0f}/{s['apply_ms']:.0f}/{s['other_ms']:.0f}")
            if step != "floor":
                entry["steps"][step] = dict(r, ratio_to_floor=ratio, rows_per_s=rate,
                                            target=TARGETS.get(step))
        daemon = [r for r in rs if r["step"] == "daemon"]
        if daemon:
            d = daemon[-1]
            entry["daemon"] = d
            if d.get("available"):
                print(f"{size:>9} {'daemon':<13} change file -> row visible (1 s poll): median "
                      f"{d['delay_median_s']:.2f} s, max {d['delay_max_s']:.2f} s; idle RSS "
                      f"{d['idle_rss_kib'] / 1024:.1f} MiB (peak {d['peak_rss_kib'] / 1024:.1f}), "
                      f"idle CPU {d['idle_cpu_s']:.2f} s in {d['idle_wait_s']} s")
            else:
                print(f"{size:>9} {'daemon':<13} fleetfuel run not available")
        out["sizes"][str(size)] = entry
    os.makedirs(os.path.dirname(os.path.abspath(sys.argv[2])), exist_ok=True)
    with open(sys.argv[2], "w") as f:
        json.dump(out, f, indent=1)
    print(f"\nwritten: {sys.argv[2]}")
    for line in failures:
        print("FAIL:", line)


if __name__ == "__main__":
    main()
