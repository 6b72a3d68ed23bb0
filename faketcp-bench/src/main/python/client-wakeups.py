#!/usr/bin/env python3
"""Who holds the core when the latency bench's client should wake up (FaultAccuracyBench latency).

    perf record -q -a -e sched:sched_waking,sched:sched_wakeup,sched:sched_switch -o sched.data -- \\
        env WHO=ours CLASSES=1 faketcp-bench/fault-ab 1 '-Dfaketcp.bench.fresh=true' latency 10ms 300
    perf script -i sched.data -F comm,pid,tid,cpu,time,event,trace > sched.txt
    client-wakeups.py sched.txt [WARMUP]

Finds the peer thread (of the threads named faketcp-peer*, the one that woke another thread most often
8 ms or more after the last time: the bench's client, woken by the delayed answer the peer writes to
the tun; other JVMs' peers may be in the trace) and, for each wake-up of the
client by the peer after 8 ms or more (a faulted exchange), the time from the peer's sched_waking to the
client on a core, on which CPU (the waker's: Linux's sync wake-up puts a socket's reader beside its
writer), and which threads ran there meanwhile ("own" marks this JVM's). Prints p50 / p90 / p99 / max
over the first WARMUP faulted exchanges (cold) and the rest (warm), and the longest six of each.
"""
import collections
import re
import sys

EVENT = re.compile(r'^\s*(.+?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)$')


def events(path):
    for line in open(path):
        m = EVENT.match(line)
        if m:
            yield (m.group(1).strip(), m.group(2), m.group(3), int(m.group(4)), float(m.group(5)), m.group(6),
                   m.group(7))


def main():
    path = sys.argv[1]
    warm_up = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    woken = collections.Counter()
    before = {}
    for comm, pid, tid, cpu, t, name, rest in events(path):
        if name == 'sched_waking' and comm.startswith('faketcp-peer'):
            key = (pid, tid, re.search(r' pid=(\d+) ', rest).group(1))
            if t - before.get(key, 0) > 0.008:
                woken[key] += 1
            before[key] = t
    if not woken:
        sys.exit('no wake-ups by a faketcp-peer thread in ' + path)
    (own, peer, client), count = woken.most_common(1)[0]
    print(f'peer thread {peer} of process {own} woke thread {client} {count} times after 8 ms or more')
    pending, last, rows = None, 0.0, []
    for comm, pid, tid, cpu, t, name, rest in events(path):
        if name == 'sched_waking' and tid == peer and f' pid={client} ' in rest:
            pending = {'at': t, 'cpu': cpu, 'target': None, 'ran': [], 'gap': t - last}
            last = t
        elif name == 'sched_wakeup' and pending and f' pid={client} ' in rest:
            pending['target'] = int(re.search(r'target_cpu=(\d+)', rest).group(1))
        elif name == 'sched_switch' and pending and pending['target'] == cpu:
            prev = re.search(r'prev_comm=(.*) prev_pid=\d+ ', rest).group(1).strip()
            pending['ran'].append(('own ' if pid == own else '') + prev)
            if re.search(r'next_pid=(\d+)', rest).group(1) == client:
                pending['late'] = t - pending['at']
                rows.append(pending)
                pending = None
    faulted = [r for r in rows if r['gap'] > 0.008]
    print(f'{len(rows)} wake-ups of the client by the peer, {len(faulted)} after 8 ms or more (faulted exchanges)')
    for label, part in (('cold', faulted[:warm_up]), ('warm', faulted[warm_up:])):
        if not part:
            continue
        v = sorted(r['late'] * 1e6 for r in part)
        n = len(v)
        same = sum(1 for r in part if r['cpu'] == r['target'])
        print(f'{label} ({n}): us p50 {v[n // 2]:.0f} p90 {v[int(.9 * n)]:.0f} p99 {v[min(n - 1, int(.99 * n))]:.0f}'
              f' max {v[-1]:.0f}; on the waker\'s CPU {same}')
        for r in sorted(part, key=lambda r: -r['late'])[:6]:
            print(f'  {r["late"] * 1e6:.0f} us at {r["at"]:.3f} on CPU {r["target"]} (peer on {r["cpu"]}),'
                  f' ran meanwhile: {", ".join(r["ran"][:6])}')


main()
