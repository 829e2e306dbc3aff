"""Monitoring: doctor's results for Prometheus (``--format prometheus``, ``fbhub monitor``) and Nagios/Icinga
(``--format nagios``).

Every renderer here takes doctor's JSON report documents (``fbhub.report.to_json_doc``, already redacted), so
a metric or a plugin line says exactly what the JSON report of the same run says. ``prometheus_client`` is
imported only inside the functions that write the exposition.
"""
