"""`nnviz` and `python -m nnviz`: the CLI behind a guard for a broken install.

Nothing of nnviz is imported at the top: if pip left a module out (a sub-package missing from
a wheel, a half-finished upgrade), the user gets one line saying how to reinstall, not a
traceback from the import machinery.
"""
import sys

REINSTALL = ("reinstall it: pip install --force-reinstall --no-cache-dir nnviz "
             "(in a clone: pip install --force-reinstall .)")


# what nnviz imports of its dependencies (pyproject.toml), by import name
DEPENDENCIES = {"numpy", "matplotlib", "imageio", "imageio_ffmpeg", "click", "threadpoolctl",
                "PIL", "webvtt"}


def _own(error: ImportError) -> bool:
    """The missing piece is part of nnviz itself, not a dependency or a user's scene."""
    return (error.name or "").partition(".")[0] == "nnviz"


def _problem(error: BaseException) -> str | None:
    """The install's fault, in words, or None when it is not the install's (a user's scene
    importing something missing is reported where the scene is loaded)."""
    top = (getattr(error, "name", None) or "").partition(".")[0]
    if isinstance(error, ImportError) and _own(error):
        return f"this nnviz install is incomplete ({error})"
    if isinstance(error, ModuleNotFoundError) and top in DEPENDENCIES:
        return f"nnviz needs {top!r}, which is not installed ({error})"
    if isinstance(error, SyntaxError) and error.filename:
        from pathlib import Path
        here = Path(__file__).resolve().parent
        if Path(error.filename).resolve().is_relative_to(here):
            return f"this nnviz install is damaged: {error.filename} line {error.lineno} " \
                   f"does not parse"
    return None


def main(argv=None) -> None:
    try:
        from nnviz.cli import main as run
        run(argv)
    except (ImportError, SyntaxError) as e:
        problem = _problem(e)
        if problem is None:
            raise
        print(f"Error: {problem}; {REINSTALL}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
