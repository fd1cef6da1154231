"""Runs a command; prints its wall time and peak RSS (KiB) as the last line of stderr,
`measured wall=SECONDS maxrss=KIB`.

A child's ru_maxrss includes the memory of whatever process forked it (the kernel keeps
the high-water mark across exec), so measuring from the benchmark's own Python process
would report that process's size. This tiny interpreter (started with -S -I) is the
forking parent instead; its own size, the floor of the measurement, is reported too.
"""
import os
import sys
import time

start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
sys.stderr.write(f"\nmeasured wall={wall:.6f} maxrss={usage.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))
