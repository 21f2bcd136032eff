#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The tcpvs developers
"""Helpers for bench/run, standard library only.

  ports N                 print N distinct free 127.0.0.1 TCP ports
  tree [--stamp] PID      print PID and all its descendants
  kill PID:START...       SIGKILL those still alive and not reused
  mem PID                 memory of a process tree (PSS from smaps_rollup)
  get PORT PATH           one GET, exit 0 on a 2xx answer (readiness check)
  idle PORT PATH N        hold N idle keep-alive connections until SIGTERM
  record ...              parse one wrk output into a row of runs.tsv
  report DIR              medians, results.md and the plot data files

bench/run calls these; none of them starts or stops other processes.
"""

import argparse
import os
import re
import resource
import select
import signal
import socket
import statistics
import sys
import time

# ---------------------------------------------------------------- ports


def cmd_ports(a):
    socks = []
    for _ in range(a.n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    print(" ".join(str(s.getsockname()[1]) for s in socks))
    for s in socks:
        s.close()


# ----------------------------------------------------------- process tree


def children(pid):
    kids = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return kids
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                kids.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return kids


def tree(root):
    pids, i = [root], 0
    while i < len(pids):
        pids.extend(children(pids[i]))
        i += 1
    return pids


def start_time(pid):
    """The start time of pid (clock ticks after boot), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def cmd_tree(a):
    """With --stamp, PID:STARTTIME tokens for cmd_kill."""
    if a.stamp:
        print(" ".join("%d:%s" % (p, start_time(p)) for p in tree(a.pid)
                       if start_time(p)))
    else:
        print(" ".join(str(p) for p in tree(a.pid)))


def cmd_kill(a):
    """SIGKILL each PID:STARTTIME still alive and still the same process:
    a pid freed since and reused by someone else is left alone."""
    for tok in a.procs:
        pid, _, st = tok.partition(":")
        if st and start_time(int(pid)) == st:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


def proc_mem(pid):
    """(pss_kb, threads, pte_kb) of one process, or None if it is gone."""
    pss = threads = pte = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Threads:"):
                    threads = int(line.split()[1])
                elif line.startswith("VmPTE:"):
                    pte = int(line.split()[1])
    except (OSError, ValueError):
        return None
    return pss, threads, pte


def cmd_mem(a):
    """One sample: PSS summed over the tree, processes, threads, page
    tables; kernel stacks are estimated at 16 KiB a thread (x86-64)."""
    pss = procs = threads = pte = 0
    for p in tree(a.pid):
        m = proc_mem(p)
        if m is None:
            continue
        procs += 1
        pss += m[0]
        threads += m[1]
        pte += m[2]
    print("pss_kb=%d procs=%d threads=%d pte_kb=%d kstack_kb=%d" %
          (pss, procs, threads, pte, threads * 16))


# ------------------------------------------------------------ HTTP bits

REQ = "GET %s HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench-idle\r\n\r\n"


def read_response(s):
    """Read one response; return (status, keepalive) or raise OSError."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise OSError("closed before the response head")
        buf += d
        if len(buf) > 65536:
            raise OSError("response head too long")
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, keep = 0, lines[0].startswith("HTTP/1.1")
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        k, v = k.strip().lower(), v.strip().lower()
        if k == "content-length":
            length = int(v)
        elif k == "connection":
            keep = "close" not in v
    while len(rest) < length:
        d = s.recv(65536)
        if not d:
            raise OSError("closed in the body")
        rest += d
    return status, keep


def cmd_get(a):
    try:
        s = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
        s.sendall((REQ % a.path).encode())
        st, _ = read_response(s)
        s.close()
    except (OSError, ValueError, IndexError):
        return 1
    return 0 if 200 <= st < 300 else 1


# ---------------------------------------------------------- idle holder


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


IP_BIND_ADDRESS_NO_PORT = 24    # <linux/in.h>


def connect(port, timeout, source):
    """A connection to 127.0.0.1:port from the address source."""
    s = socket.socket()
    try:
        s.settimeout(timeout)
        if source:
            # the port is chosen by connect(), per 4-tuple, as for any
            # client: bind() alone would reserve it from every address
            s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            s.bind((source, 0))
        s.connect(("127.0.0.1", port))
    except OSError:
        s.close()
        raise
    return s


def open_batch(port, path, n, timeout, source=""):
    """Open n connections, one request each; keep those left open.
    A connection the server closes after its response (no keep-alive) is
    replaced by a new one that sends nothing, so a server without
    keep-alive still holds an idle client.  The whole batch has `timeout`
    seconds: a connection not answered by then (say, left in the listen
    backlog) is closed and counted as failed.  Returns (socks, ka, fresh,
    failed)."""
    socks, ka, fresh, failed = [], 0, 0, 0
    batch = []
    deadline = time.monotonic() + timeout
    left = lambda: max(0.01, deadline - time.monotonic())
    for _ in range(n):
        try:
            s = connect(port, left(), source)
            s.sendall((REQ % path).encode())
            batch.append(s)
        except OSError:
            failed += 1
    for s in batch:
        try:
            s.settimeout(left())
            st, keep = read_response(s)
        except (OSError, ValueError, IndexError):
            s.close()
            failed += 1
            continue
        if keep and 200 <= st < 300:
            socks.append(s)
            ka += 1
            continue
        s.close()
        try:
            socks.append(connect(port, left(), source))
            fresh += 1
        except OSError:
            failed += 1
    return socks, ka, fresh, failed


def still_open(socks):
    """How many of socks the peer has not closed (poll: no FD_SETSIZE)."""
    p = select.poll()
    byfd = {}
    for s in socks:
        p.register(s, select.POLLIN)
        byfd[s.fileno()] = s
    gone = 0
    for fd, ev in p.poll(0):
        try:
            if ev & (select.POLLHUP | select.POLLERR) or byfd[fd].recv(
                    1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                gone += 1
        except OSError:
            gone += 1
    return len(socks) - gone


def cmd_idle(a):
    """Print 'ready ...' when all are open, 'check open=N' on SIGUSR1 and
    'end open=N' on SIGTERM: N is how many the server has not closed."""
    raise_nofile(a.n + 64)
    stop, check = [], []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    signal.signal(signal.SIGUSR1, lambda *_: check.append(1))
    t0 = time.monotonic()
    socks, ka, fresh, failed = [], 0, 0, 0
    left = a.n
    while left > 0 and not stop and time.monotonic() - t0 < a.setup_limit:
        k = min(a.batch, left)
        s, x, y, z = open_batch(a.port, a.path, k, a.timeout, a.source)
        socks += s
        ka += x
        fresh += y
        failed += z
        left -= k
    print("ready wanted=%d open=%d keepalive=%d fresh=%d failed=%d "
          "setup_s=%.1f" % (a.n, len(socks), ka, fresh, failed + left,
                            time.monotonic() - t0), flush=True)
    deadline = time.monotonic() + a.max_seconds
    while not stop and time.monotonic() < deadline:
        if check:
            check.clear()
            print("check open=%d of %d" % (still_open(socks), len(socks)),
                  flush=True)
        time.sleep(0.05)
    print("end open=%d of %d" % (still_open(socks), len(socks)), flush=True)
    for s in socks:
        s.close()


# --------------------------------------------------------------- record

RUN_FIELDS = ["scenario", "candidate", "round", "conc", "idle", "requests",
              "duration_s", "rps", "mbps", "p50_ms", "p75_ms", "p90_ms",
              "p99_ms", "p999_ms", "err_connect", "err_read", "err_write",
              "err_timeout", "err_status", "pss_kb", "procs", "threads",
              "pte_kb", "kstack_kb", "idle_open", "idle_end", "cpu_ms",
              "cswitch", "migrations", "syscalls"]

PERF_EVENTS = {"task-clock": "cpu_ms", "context-switches": "cswitch",
               "cpu-migrations": "migrations",
               "raw_syscalls:sys_enter": "syscalls"}


def read_perf(path):
    """Counts from a perf stat -x, output file: {field: value}; a count
    perf could not make is left out."""
    out = {}
    if not path or not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split(",")
            if len(p) < 3 or p[2] not in PERF_EVENTS:
                continue
            try:
                out[PERF_EVENTS[p[2]]] = float(p[0])
            except ValueError:
                pass
    return out


def kv(line):
    return {k: v for k, v in re.findall(r"(\w+)=([-\d.]+)", line)}


def cmd_record(a):
    """Append one row to runs.tsv from a wrk output and memory samples.
    A missing BENCH line (wrk failed) gives a row of zeros and rps 0."""
    w = {}
    with open(a.wrk, errors="replace") as f:
        for line in f:
            if line.startswith("BENCH "):
                w = kv(line)
    mem = {}
    if a.mem and os.path.exists(a.mem):
        with open(a.mem) as f:
            for line in f:
                m = kv(line)
                # the largest sample during the load
                if int(m.get("pss_kb", 0)) >= int(mem.get("pss_kb", -1)):
                    mem = m
    idle_open = idle_end = ""
    if a.idle_out and os.path.exists(a.idle_out):
        with open(a.idle_out) as f:
            for line in f:
                m = kv(line)
                if line.startswith("ready"):
                    idle_open = m.get("open", "")
                elif line.startswith(("check", "end")):
                    idle_end = m.get("open", "")    # the latest
    req = int(w.get("requests", 0))
    dur = int(w.get("duration_us", 0)) / 1e6
    perf = read_perf(a.perf)
    if a.body_bytes > 0:
        nbytes = req * a.body_bytes      # uploads: request bodies sent
    else:
        nbytes = int(w.get("bytes", 0))  # responses read, heads included
    ms = lambda k: "%.3f" % (int(w.get(k, 0)) / 1000.0)
    row = {
        "scenario": a.scenario, "candidate": a.candidate, "round": a.round,
        "conc": a.conc, "idle": a.idle, "requests": req,
        "duration_s": "%.3f" % dur,
        "rps": "%.1f" % (req / dur if dur else 0),
        "mbps": "%.2f" % (nbytes / dur / 1e6 if dur else 0),
        "p50_ms": ms("p50"), "p75_ms": ms("p75"), "p90_ms": ms("p90"),
        "p99_ms": ms("p99"), "p999_ms": ms("p999"),
        "err_connect": w.get("connect", 0), "err_read": w.get("read", 0),
        "err_write": w.get("write", 0), "err_timeout": w.get("timeout", 0),
        "err_status": w.get("status", 0),
        "pss_kb": mem.get("pss_kb", ""), "procs": mem.get("procs", ""),
        "threads": mem.get("threads", ""), "pte_kb": mem.get("pte_kb", ""),
        "kstack_kb": mem.get("kstack_kb", ""),
        "idle_open": idle_open, "idle_end": idle_end,
    }
    for k in PERF_EVENTS.values():
        row[k] = "%.3f" % perf[k] if k in perf else ""
    new = not os.path.exists(a.tsv)
    with open(a.tsv, "a") as f:
        if new:
            f.write("\t".join(RUN_FIELDS) + "\n")
        f.write("\t".join(str(row[k]) for k in RUN_FIELDS) + "\n")
    if not w:
        print("no BENCH line in %s (wrk failed?)" % a.wrk, file=sys.stderr)


# --------------------------------------------------------------- report


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, ln.rstrip("\n").split("\t"))) for ln in f
                if ln.strip()]


def num(x, default=0.0):
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def med(rows, k):
    vals = [num(r[k]) for r in rows if r.get(k, "") != ""]
    return statistics.median(vals) if vals else None


def fmt(x, nd=1):
    if x is None:
        return "–"
    if nd == 0:
        return "{:,.0f}".format(x)
    return "{:,.{}f}".format(x, nd)


def mib(kb):
    return None if kb is None else kb / 1024.0


def errors_str(rows):
    """Totals over all rounds, by kind; '0' when clean."""
    names = [("err_connect", "connect"), ("err_read", "read"),
             ("err_write", "write"), ("err_timeout", "timeout"),
             ("err_status", "http>=400")]
    parts = []
    for k, label in names:
        n = sum(int(num(r[k])) for r in rows)
        if n:
            parts.append("%s %d" % (label, n))
    failed = sum(1 for r in rows if num(r["requests"]) == 0)
    if failed:
        parts.append("%d of %d run(s) completed no request" %
                     (failed, len(rows)))
    return ", ".join(parts) if parts else "0"


def ratio(x, y):
    if x is None or not y:
        return "–"
    return "%.2f" % (x / y)


def summarize(runs, scen_order, cand_order):
    """{(scenario, candidate): summary dict} of medians over rounds."""
    out = {}
    for s in scen_order:
        for c in cand_order:
            rows = [r for r in runs if r["scenario"] == s and
                    r["candidate"] == c]
            if not rows:
                continue
            # a run that completed no request has no latency to count
            ok = [r for r in rows if num(r["requests"]) > 0]
            d = {k: med(rows, k) for k in
                 ("rps", "mbps", "pss_kb", "procs", "threads", "pte_kb",
                  "kstack_kb", "idle_open", "idle_end")}
            d.update({k: med(ok, k) for k in ("p50_ms", "p99_ms",
                                              "p999_ms")})
            for k in PERF_EVENTS.values():
                per = [num(r[k]) / num(r["requests"]) for r in ok
                       if r.get(k, "") != "" and num(r["requests"]) > 0]
                d["per_" + k] = statistics.median(per) if per else None
            d["rounds"] = len(rows)
            d["errors"] = errors_str(rows)
            d["conc"] = rows[0]["conc"]
            d["idle"] = rows[0]["idle"]
            out[(s, c)] = d
    return out


def each_result(scenarios, cands, summ, key, skipped=None):
    """(scenario, candidate, summary, HAProxy's value of key) for each
    candidate measured in each scenario, in table order; then, from
    skipped ({scenario: [(candidate, why)]}), (scenario, candidate, None,
    why) for each candidate the scenario had to leave out."""
    for s in scenarios:
        hp = summ.get((s["name"], "haproxy"), {}).get(key)
        for c in cands:
            v = summ.get((s["name"], c))
            if v:
                yield s, c, v, hp
        for c, why in (skipped or {}).get(s["name"], []):
            yield s, c, None, why


def held_all(s, v):
    """False when an idle scenario's candidate held fewer idle connections
    than wanted (HAProxy past its descriptor limit): its memory is then
    not that of the scenario's count."""
    if s["kind"] != "idle" or v.get("idle_end") is None:
        return True
    return v["idle_end"] >= int(s["idle"])


def write_plot_data(d, summ, scenarios, cands):
    """plot-concurrency.dat and plot-idle.dat: one block per candidate,
    its name on the first line (gnuplot: index i, columnheader(1)); an
    idle point only where the candidate held all the idle connections."""
    conc = [s for s in scenarios if s["kind"] == "small"]
    idle = [s for s in scenarios if s["kind"] == "idle"]
    for fname, group, xkey, cols in (
            ("plot-concurrency.dat", conc, "conc",
             ("rps", "p99_ms", "p999_ms", "pss_kb")),
            ("plot-idle.dat", idle, "idle",
             ("pss_kb", "rps", "p99_ms", "procs"))):
        with open(os.path.join(d, fname), "w") as f:
            f.write("# %s %s (medians); one block per candidate\n" %
                    (xkey, " ".join(cols)))
            first = True
            for c in cands:
                pts = [(int(s[xkey]), summ[(s["name"], c)]) for s in group
                       if (s["name"], c) in summ
                       and held_all(s, summ[(s["name"], c)])]
                if not pts:
                    continue
                if not first:
                    f.write("\n\n")
                first = False
                f.write('"%s"\n' % c)
                for x, v in sorted(pts):
                    f.write("%d %s\n" % (x, " ".join(
                        "%.3f" % (v[k] if v[k] is not None else float("nan"))
                        for k in cols)))


def cmd_report(a):
    d = a.dir
    raw = os.path.join(d, "raw")
    runs = read_tsv(os.path.join(raw, "runs.tsv"))
    scenarios = read_tsv(os.path.join(raw, "scenarios.tsv"))
    meta = read_tsv(os.path.join(raw, "meta.tsv"))
    meta = {m["key"]: m["value"] for m in meta}
    cands = []
    for r in runs:
        if r["candidate"] not in cands:
            cands.append(r["candidate"])
    pref = ["tcpvsd", "tcpvsd-mif1", "haproxy", "haproxy-splice", "nginx",
            "direct"]
    cands.sort(key=lambda c: pref.index(c) if c in pref else len(pref))
    done = {r["scenario"] for r in runs}
    scenarios = [s for s in scenarios if s["name"] in done]
    summ = summarize(runs, [s["name"] for s in scenarios], cands)

    L = []
    L.append("# tcpvs benchmark: %s" % meta.get("name", os.path.basename(d)))
    L.append("")
    L.append("Produced by `%s` (bench/run, see docs/benchmarks.md)." %
             meta.get("command", "bench/run"))
    L.append("")
    L.append("## Machine")
    L.append("")
    for k, label in (("host", "host"), ("date", "date"),
                     ("nproc", "CPUs (nproc)"), ("cpu", "CPU model"),
                     ("mem", "memory"), ("kernel", "kernel"),
                     ("haproxy", "HAProxy"), ("nginx", "nginx"),
                     ("wrk", "wrk"), ("tcpvsd", "tcpvsd"),
                     ("python", "python3")):
        if k in meta:
            L.append("- %s: %s" % (label, meta[k]))
    L.append("")
    L.append("## Settings")
    L.append("")
    for k in ("duration", "rounds", "warmup", "wrk_threads", "origins",
              "algo", "nofile", "tcpvsd_keepalive", "tcpvsd_pool",
              "tcpvsd_mif1", "tls",
              "perf",
              "load_start", "load_end",
              "elapsed"):
        if k in meta:
            L.append("- %s: %s" % (k.replace("_", " "), meta[k]))
    L.append("")
    L.append("Every run loads 127.0.0.1 only; the load generator, the "
             "candidate and the origins share the same %s CPUs, so the "
             "numbers compare candidates with each other on this machine, "
             "not with other machines." % meta.get("nproc", "?"))
    L.append("")
    L.append("## Results")
    L.append("")
    nr = int(num(meta.get("rounds", "1"), 1))
    if nr > 1:
        L.append("Medians over %d rounds (candidates interleaved per "
                 "round); " % nr)
    else:
        L.append("One round: single runs, not medians, so one disturbed "
                 "run shows as it is; ")
    L[-1] += ("latency in ms; errors are totals over all rounds "
             "(http>=400 counts answers with status 400 or more); PSS is "
             "that of the candidate's whole process tree, sampled a third "
             "into each run; procs counts its processes. ×HAProxy and "
             "×direct are ratios of requests/s.")
    L.append("")
    L.append("| scenario | candidate | req/s | MB/s | p50 | p99 | p99.9 | "
             "errors | PSS MiB | procs | ×HAProxy | ×direct |")
    L.append("|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|")
    skipped = {}
    path = os.path.join(raw, "skipped.tsv")     # scenario, candidate, why
    if os.path.exists(path):
        with open(path) as f:
            for ln in f:
                sc, c, why = (ln.rstrip("\n").split("\t") + ["", ""])[:3]
                skipped.setdefault(sc, []).append((c, why))
    for s, c, v, hp in each_result(scenarios, cands, summ, "rps",
                                   skipped):
        if v is None:
            L.append("| %s | %s | skipped: %s |%s" % (
                s["name"], c, hp, " – |" * 9))
            continue
        dr = summ.get((s["name"], "direct"), {}).get("rps")
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | "
                 "%s | %s |" % (
                     s["name"], c, fmt(v["rps"], 0), fmt(v["mbps"], 1),
                     fmt(v["p50_ms"], 2), fmt(v["p99_ms"], 2),
                     fmt(v["p999_ms"], 2), v["errors"],
                     fmt(mib(v["pss_kb"]), 1), fmt(v["procs"], 0),
                     ratio(v["rps"], hp), ratio(v["rps"], dr)))
    L.append("")
    if any(v.get("per_cpu_ms") is not None for v in summ.values()):
        L.append("## Cost per request")
        L.append("")
        L.append("`perf stat` over the candidate's whole process tree "
                 "(master and workers; all threads) for the length of each "
                 "run, divided by the requests wrk completed in it; medians "
                 "over rounds. CPU is task-clock: user and system time of "
                 "the candidate alone, not of wrk or the origins.")
        L.append("")
        L.append("| scenario | candidate | CPU µs/req | context switches/req "
                 "| system calls/req | migrations/1k req | CPU ×HAProxy |")
        L.append("|---|---|--:|--:|--:|--:|--:|")
        for s, c, v, hp in each_result(scenarios, cands, summ,
                                       "per_cpu_ms"):
            if v.get("per_cpu_ms") is None:
                continue
            mig = v["per_migrations"]
            L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                s["name"], c, fmt(v["per_cpu_ms"] * 1000, 1),
                fmt(v["per_cswitch"], 2), fmt(v["per_syscalls"], 1),
                fmt(None if mig is None else mig * 1000, 1),
                ratio(v["per_cpu_ms"], hp)))
        L.append("")
    idle = [s for s in scenarios if s["kind"] == "idle"]
    if idle:
        L.append("## Idle connections")
        L.append("")
        L.append("Memory while the idle connections are held and the small "
                 "load runs. *open* is how many of the wanted idle "
                 "connections were open when the load started and *held* "
                 "how many were still open when it ended; a candidate "
                 "without keep-alive closes each after its response, and "
                 "the helper then holds a new connection that has sent "
                 "nothing. Kernel memory per process is not in PSS: "
                 "*PTE+stacks* adds the page tables (VmPTE) and an "
                 "estimated 16 KiB kernel stack per thread.")
        L.append("")
        L.append("| idle | candidate | open | held | PSS MiB | KiB/conn | "
                 "PTE+stacks MiB | procs | req/s | p99 | errors | "
                 "PSS ×HAProxy |")
        L.append("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|")
        for s, c, v, hp in each_result(idle, cands, summ, "pss_kb"):
            if not held_all(s, summ.get((s["name"], "haproxy"), {})):
                hp = None  # its PSS is of fewer connections
            n = num(s["idle"])
            kern = None
            if v["pte_kb"] is not None and v["kstack_kb"] is not None:
                kern = (v["pte_kb"] + v["kstack_kb"]) / 1024.0
            per = v["pss_kb"] / n if v["pss_kb"] is not None and n else None
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | "
                     "%s | %s | %s |" % (
                         s["idle"], c, fmt(v["idle_open"], 0),
                         fmt(v["idle_end"], 0), fmt(mib(v["pss_kb"]), 1),
                         fmt(per, 1), fmt(kern, 1), fmt(v["procs"], 0),
                         fmt(v["rps"], 0), fmt(v["p99_ms"], 2),
                         v["errors"], ratio(v["pss_kb"], hp)))
        L.append("")
    L.append("## Scenarios")
    L.append("")
    for s in scenarios:
        L.append("- **%s**: %s" % (s["name"], s["desc"]))
    L.append("")
    notes = os.path.join(raw, "notes.txt")
    if os.path.exists(notes):
        with open(notes) as f:
            txt = [ln.rstrip("\n") for ln in f if ln.strip()]
        if txt:
            L.append("## Notes from this run")
            L.append("")
            L.extend("- " + t for t in txt)
            L.append("")
    L.append("Raw data: `raw/runs.tsv` (one row per run), `raw/<scenario>/` "
             "(wrk output, memory samples, generated configs, logs). The "
             "PNGs beside this file come from `bench/plot DIR`; the tables "
             "from `python3 bench/lib/benchutil.py report DIR`.")
    L.append("")
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write("\n".join(L))
    with open(os.path.join(d, "summary.tsv"), "w") as f:
        keys = ["rps", "mbps", "p50_ms", "p99_ms", "p999_ms", "pss_kb",
                "procs", "idle_open", "idle_end"]
        f.write("scenario\tcandidate\tconc\tidle\trounds\t" +
                "\t".join(keys) + "\terrors\n")
        for s in scenarios:
            for c in cands:
                v = summ.get((s["name"], c))
                if v:
                    f.write("%s\t%s\t%s\t%s\t%d\t%s\t%s\n" % (
                        s["name"], c, v["conc"], v["idle"], v["rounds"],
                        "\t".join("" if v[k] is None else "%.3f" % v[k]
                                  for k in keys), v["errors"]))
    write_plot_data(d, summ, scenarios, cands)


# ----------------------------------------------------------------- main


def main():
    p = argparse.ArgumentParser(prog="benchutil.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    x = sub.add_parser("ports")
    x.add_argument("n", type=int)
    x.set_defaults(f=cmd_ports)
    x = sub.add_parser("tree")
    x.add_argument("--stamp", action="store_true")
    x.add_argument("pid", type=int)
    x.set_defaults(f=cmd_tree)
    x = sub.add_parser("kill")
    x.add_argument("procs", nargs="*")
    x.set_defaults(f=cmd_kill)
    x = sub.add_parser("mem")
    x.add_argument("pid", type=int)
    x.set_defaults(f=cmd_mem)
    x = sub.add_parser("get")
    x.add_argument("port", type=int)
    x.add_argument("path")
    x.add_argument("--timeout", type=float, default=3)
    x.set_defaults(f=cmd_get)
    x = sub.add_parser("idle")
    x.add_argument("port", type=int)
    x.add_argument("path")
    x.add_argument("n", type=int)
    x.add_argument("--batch", type=int, default=200)
    x.add_argument("--source", default="127.0.0.2")
    x.add_argument("--timeout", type=float, default=3)
    x.add_argument("--setup-limit", type=float, default=60)
    x.add_argument("--max-seconds", type=float, default=600)
    x.set_defaults(f=cmd_idle)
    x = sub.add_parser("record")
    for k in ("tsv", "wrk", "scenario", "candidate", "round", "conc",
              "idle"):
        x.add_argument("--" + k, required=True)
    x.add_argument("--mem", default="")
    x.add_argument("--perf", default="")
    x.add_argument("--idle-out", default="")
    x.add_argument("--body-bytes", type=int, default=0)
    x.set_defaults(f=cmd_record)
    x = sub.add_parser("report")
    x.add_argument("dir")
    x.set_defaults(f=cmd_report)
    a = p.parse_args()
    sys.exit(a.f(a) or 0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:       # Ctrl-C: bench/run reports it
        sys.exit(130)
