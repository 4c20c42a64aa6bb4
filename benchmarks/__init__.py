"""Benchmarks of thidua_rules against a hand-written scorer and peer rule engines (issue 6).

Run ``python benchmarks/run.py --help``. The peers need the ``bench`` extra:
``pip install -e ".[bench]"``.
"""
