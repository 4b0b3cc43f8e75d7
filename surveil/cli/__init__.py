"""Command-line interface of surveil (``surveil`` and ``python -m surveil``)."""
