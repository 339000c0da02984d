"""Metric plugins: one folder per metric (README.md, bibtex, ``PLUGINS`` in ``__init__.py``)."""
