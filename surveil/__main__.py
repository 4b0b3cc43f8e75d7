"""Run the surveil command line: ``python -m surveil``."""

from surveil.cli.main import cli

if __name__ == "__main__":
    cli(prog_name="surveil")
