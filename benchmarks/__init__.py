"""Benchmark suite: nixkit, nixio 1.5.4 and raw h5py doing the same NIX work.

Run ``python -m benchmarks --help`` from the repository root. Every measurement runs in
a fresh child process; see :mod:`benchmarks.run` for the protocol.
"""
