"""Monitoring: ``fbhub monitor``, the exporter that runs doctor on an interval and serves its results to
Prometheus. The metrics themselves are written by the report renderer ``fbhub.report.prometheus`` (the one
used by ``doctor --format prometheus``), so the server and the command say the same thing.
"""
