"""Kernel fixtures: the probe service (see probe.py) against the harness servers."""

from tests.kernel.probe import probe, probe_settings

__all__ = ["probe", "probe_settings"]
