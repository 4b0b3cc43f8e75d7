"""The package's functions stay functions, whatever was imported before."""

import subprocess
import sys


def test_plan_and_compare_are_functions_after_their_modules_are_imported():
    code = (
        "import surveil.planning, surveil.comparison, surveil.sweeping\n"
        "import surveil\n"
        "assert callable(surveil.plan) and surveil.plan.__name__ == 'plan'\n"
        "assert callable(surveil.compare) and surveil.compare.__name__ == 'compare'\n"
        "assert callable(surveil.sweep) and surveil.sweep.__name__ == 'sweep'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
