"""Benchmark scripts (not tests): API latency, cold start, load, drawn digits. Each writes benchmarks/results/."""
