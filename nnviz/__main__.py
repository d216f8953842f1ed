"""`nnviz` and `python -m nnviz`: the CLI behind a guard for a broken install.

Nothing of nnviz is imported at the top: if pip left a module out (a sub-package missing from
a wheel, a half-finished upgrade), the user gets one line saying how to reinstall, not a
traceback from the import machinery.
"""
import sys

REINSTALL = ("reinstall it: pip install --force-reinstall --no-cache-dir nnviz "
             "(in a clone: pip install --force-reinstall .)")


def _own(error: ImportError) -> bool:
    """The missing piece is part of nnviz itself, not a dependency or a user's scene."""
    return (error.name or "").partition(".")[0] == "nnviz"


def main(argv=None) -> None:
    try:
        from nnviz.cli import main as run
        run(argv)
    except ImportError as e:
        if not _own(e):
            raise
        print(f"Error: this nnviz install is incomplete ({e}); {REINSTALL}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
