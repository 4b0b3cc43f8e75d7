"""Root pytest configuration: skip modules whose optional dependency is absent."""

import importlib.util

# The numba kernels cannot even be imported without numba (the numpy-path run of CI).
collect_ignore = [] if importlib.util.find_spec("numba") else ["surveil/_numba_kernels.py"]
