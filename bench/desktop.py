#!/usr/bin/env python3
"""Desktop start-up and memory, side by side with a minimal Tauri window.

Launches firebreak-desktop (on a store with one open incident, so it opens on the
incident workspace) and bench/minimal-window (same Tauri version) alternately under
Xvfb, and measures for each:

- start-up: from spawn to the UI's `app-ready` (`FIREBREAK_READY` on stdout), i.e. the
  first screen rendered and interactive;
- idle memory 10 s after that: PSS of the app and every process it started (WebKit's
  web and network processes), from /proc/PID/smaps_rollup;
- the stripped release binary's size.

Firebreak turns WebKit's accelerated compositing off on Linux (src-tauri/src/
rendering.rs); the minimal window keeps Tauri's default. Both comparisons are printed:
against the default minimal window (what a user of each gets), and against the minimal
window with compositing off too (like for like).

Targets (issue 3): start-up <= 1.25x the minimal window's, memory <= 1.2x, binary
<= 15 MiB. Prints medians over the rounds and PASS/FAIL; exits 0 either way (it is a
measurement, not a test).

Usage: python3 bench/desktop.py [--rounds N] [--no-build]
"""

import argparse
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
IDLE_SECONDS = 10.0


def run(cmd, **kw):
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def start_xvfb():
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    display = ":" + proc.stdout.readline().decode().strip()
    return proc, display


def descendants(root_pid):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_names(pids):
    names = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return names


def launch(binary, env, timeout=30.0):
    """Returns (startup_ms, pss_mib, process names)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [binary],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    ready = None
    buf = b""
    try:
        while time.monotonic() - started < timeout:
            r, _, _ = select.select([proc.stdout], [], [], 0.05)
            if r:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                if b"FIREBREAK_READY" in buf:
                    ready = time.monotonic()
                    break
            if proc.poll() is not None:
                break
        if ready is None:
            raise RuntimeError(f"{binary} never became ready; exit {proc.poll()}")
        time.sleep(max(0.0, IDLE_SECONDS - (time.monotonic() - ready)))
        pids = descendants(proc.pid)
        pss = sum(pss_kib(p) for p in pids) / 1024.0
        return (ready - started) * 1000.0, pss, process_names(pids)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        run(["npm", "--prefix", "ui", "ci", "--silent"])
        run(["npm", "--prefix", "ui", "run", "build", "--silent"])
        run(["cargo", "build", "--release", "--locked", "--bin", "firebreak-desktop",
             "--bin", "minimal-window", "--bin", "firebreak"])
    apps = {
        "firebreak-desktop": (os.path.join(RELEASE, "firebreak-desktop"), {}),
        "minimal-window": (os.path.join(RELEASE, "minimal-window"), {}),
        "minimal-no-compositing": (
            os.path.join(RELEASE, "minimal-window"),
            {"WEBKIT_DISABLE_COMPOSITING_MODE": "1"},
        ),
    }
    xvfb, display = start_xvfb()
    work = tempfile.mkdtemp(prefix="firebreak-desktop-bench-")
    try:
        home = os.path.join(work, "home")
        cli = os.path.join(RELEASE, "firebreak")
        subprocess.run([cli, "--home", home, "incident", "start", "Bench: checkout down",
                        "--runbook", "production-outage", "--severity", "sev2"],
                       check=True, stdout=subprocess.DEVNULL)
        for i in range(20):
            subprocess.run([cli, "--home", home, "note", f"finding {i}", "--kind", "observation"],
                           check=True, stdout=subprocess.DEVNULL)

        def env_for(name, round_no):
            run_dir = os.path.join(work, f"{name}-{round_no}")
            env = dict(os.environ)
            env.update(apps[name][1])
            env.update({
                "DISPLAY": display,
                "FIREBREAK_HOME": home,
                "XDG_CONFIG_HOME": os.path.join(run_dir, "config"),
                "XDG_CACHE_HOME": os.path.join(run_dir, "cache"),
                "XDG_DATA_HOME": os.path.join(run_dir, "data"),
            })
            return env

        results = {name: {"start": [], "pss": []} for name in apps}
        names_seen = {}
        # One warm-up launch each (page cache), not counted.
        for name, (binary, _) in apps.items():
            launch(binary, env_for(name, "warm"))
        print(f"Desktop benchmark: {args.rounds} rounds, alternating, Xvfb {display}, "
              f"{os.cpu_count()} CPUs; memory {IDLE_SECONDS:.0f} s after ready")
        for r in range(args.rounds):
            order = list(apps.items()) if r % 2 == 0 else list(reversed(list(apps.items())))
            for name, (binary, _) in order:
                start_ms, pss, names = launch(binary, env_for(name, r))
                results[name]["start"].append(start_ms)
                results[name]["pss"].append(pss)
                names_seen[name] = names
                print(f"  round {r + 1}: {name:22} start {start_ms:7.1f} ms   PSS {pss:6.1f} MiB")

        med = {n: {k: statistics.median(v) for k, v in res.items()} for n, res in results.items()}
        fb = med["firebreak-desktop"]
        size = os.path.getsize(apps["firebreak-desktop"][0]) / (1024 * 1024)
        print()
        print(f"  {'':24} {'start-up (median)':>18} {'idle PSS (median)':>18}")
        for n in apps:
            print(f"  {n:24} {med[n]['start']:15.1f} ms {med[n]['pss']:14.1f} MiB")
        print(f"  processes measured: {', '.join(sorted(set(names_seen['firebreak-desktop'])))}")
        verdict = lambda ok: "PASS" if ok else "FAIL"
        for ref, label in [("minimal-window", "vs the default minimal window"),
                           ("minimal-no-compositing", "like for like (both without compositing)")]:
            start_ratio = fb["start"] / med[ref]["start"]
            mem_ratio = fb["pss"] / med[ref]["pss"]
            print()
            print(f"  {label}:")
            print(f"    start-up ratio {start_ratio:.2f}x (target <= 1.25x)  {verdict(start_ratio <= 1.25)}")
            print(f"    memory ratio   {mem_ratio:.2f}x (target <= 1.20x)  {verdict(mem_ratio <= 1.20)}")
        print()
        print(f"  binary size    {size:.1f} MiB stripped (target <= 15 MiB)  {verdict(size <= 15)}")
    finally:
        xvfb.kill()
        xvfb.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
