"""Benchmarks: `make bench-transcode`, `make bench-playlist` (see docs/benchmarks.md)."""
