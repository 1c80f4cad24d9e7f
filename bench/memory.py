"""Peak memory (resident set high-water mark) of this process and of its finished
children, for the benchmarks' reports."""

from __future__ import annotations

import resource


def peak_rss_mib() -> float:
    """This process's RSS high-water mark (VmHWM in /proc/self/status on Linux; else
    getrusage's ru_maxrss), in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mib() -> float:
    """The largest RSS high-water mark among the children waited for, in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def report(label: str) -> str:
    return f"peak memory (RSS high-water) of {label}: {peak_rss_mib():.0f} MiB"
