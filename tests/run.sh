#!/usr/bin/env bash
# The test command (README.md, .ci/run): test what users install, never the source tree.
#   1. build the sdist and, from it, the wheel; check both (twine, check-wheel-contents);
#   2. install the wheel, not editable, into a fresh venv (.venv-test), with the test extra;
#   3. run the suite against it, the source package kept off the import path.
# Arguments are passed to pytest (e.g. tests/test_render.py -x).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv --clear .venv-test
bin=.venv-test/bin
"$bin/pip" install -q --upgrade build twine check-wheel-contents
rm -rf dist
"$bin/python" -m build --outdir dist . >/dev/null
"$bin/twine" check --strict dist/*
"$bin/check-wheel-contents" dist/*.whl
wheel=$(ls dist/nnviz-*.whl)
"$bin/pip" install -q "$wheel[test]"

# PYTHONSAFEPATH: neither pytest nor any `python -m nnviz` it starts puts the current folder
# (this source tree) on sys.path; conftest.py refuses to run if nnviz comes from here anyway.
export PYTHONSAFEPATH=1 NNVIZ_TEST_INSTALLED=1
exec "$bin/python" -m pytest -n 2 --dist loadfile "$@"
