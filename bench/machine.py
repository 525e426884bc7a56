"""The CPU a benchmark ran on, printed with its figures.

Int8 model speed depends on the CPU: ONNX Runtime's int8 matrix products use the int8 dot-product
instructions (AVX-512 VNNI, AVX-VNNI) where the CPU has them. The same code and model measured the
accurate tier at 6.1 articles per CPU second on one machine of this workplace and 2.9 on another (an
AMD EPYC with AVX2 only), so the figures of different runs compare only with this line equal.
"""

from __future__ import annotations

import os
from pathlib import Path

INT8_DOT = ("avx512_vnni", "avx_vnni", "amx_int8")


def describe(cpuinfo: str | None = None) -> str:
    """`model, N cores, int8 dot product: flags` from /proc/cpuinfo."""
    text = cpuinfo if cpuinfo is not None else _read_cpuinfo()
    model, flags = "unknown CPU", set[str]()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and model == "unknown CPU":
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = set(value.split())
    dot = [f for f in INT8_DOT if f in flags] or (["none (AVX2 only)"] if "avx2" in flags else ["none"])
    return f"{model}, {os.cpu_count()} cores, int8 dot product: {', '.join(dot)}"


def _read_cpuinfo() -> str:
    path = Path("/proc/cpuinfo")
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
