"""Run the surveil command line: ``python -m surveil``."""

if __name__ == "__main__":
    try:
        from surveil.cli.main import main
    except KeyboardInterrupt:
        import sys

        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    main()
