"""What the benchmarks say about the machine they ran on, and how they report progress."""

from __future__ import annotations

import platform
import sys
from pathlib import Path


def cpu_name() -> str:
    """The processor's model name, from /proc/cpuinfo where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def progress(message: str) -> None:
    """Say on stderr what the benchmark is doing (stdout carries the report)."""
    print(message, file=sys.stderr, flush=True)


def emit(report: str, path: Path | None) -> None:
    """Print the report on stdout and, given a path, write it there too."""
    sys.stdout.write(report)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report, encoding="utf-8")
        progress(f"written to {path}")
