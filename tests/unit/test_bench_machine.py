"""The CPU line the benchmarks print: model and int8 dot-product support read from /proc/cpuinfo."""

from __future__ import annotations

from bench.machine import describe


def test_names_the_model_and_the_int8_dot_product_flags() -> None:
    info = "processor\t: 0\nmodel name\t: Intel Xeon\nflags\t\t: fpu avx2 avx512f avx512_vnni\n"
    line = describe(info)
    assert line.startswith("Intel Xeon, ")
    assert line.endswith("int8 dot product: avx512_vnni")


def test_avx2_only_and_unknown() -> None:
    assert describe("model name\t: AMD EPYC\nflags\t\t: fpu avx2\n").endswith("none (AVX2 only)")
    assert describe("").startswith("unknown CPU")
