#!/usr/bin/env bash
# The Python side of the Jupyter tests, in a venv inside the repository (.venv/, git-ignored):
# jupyter_client and jupyter-kernel-test (the kernel's conformance), nbclient, nbformat and
# papermill (notebooks), jupyter_server and jupyterlab (real front ends), pytest.
# The versions are pinned in scripts/jupyter-requirements.txt (the whole venv, from `pip freeze`):
# the top-level list below says what we want, the pins say which versions the tests know.
# To move to newer versions: delete .venv, set FLOWBOOK_VENV_UNPINNED=1, run this, run the
# tests, then `.venv/bin/python -m pip freeze > scripts/jupyter-requirements.txt` (keep the header).
# Idempotent and quick when done: a stamp holds the hash of the requirement list and the pins.
# Needs: python3 with venv; PyPI reachable on the first run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${FLOWBOOK_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

REQUIREMENTS=(
  jupyter_client
  jupyter-kernel-test
  nbclient
  nbformat
  papermill
  jupyter_server
  jupyterlab
  pytest
  ipykernel
)

PINS="$ROOT/scripts/jupyter-requirements.txt"
stamp_value="$( { printf '%s\n' "${REQUIREMENTS[@]}"; cat "$PINS"; } | sha256sum | cut -c1-16)"
stamp="$VENV/.flowbook-setup"
if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_value" ]; then
  echo "jupyter-setup: $VENV is up to date"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "jupyter-setup: python3 is required (e.g. apt-get install python3 python3-venv)" >&2
  exit 1
fi
if [ ! -x "$PY" ]; then
  echo "jupyter-setup: creating $VENV"
  python3 -m venv "$VENV"
fi
PIP=("$PY" -m pip install --disable-pip-version-check --no-input)
if [ -n "${CI:-}" ]; then PIP+=(-q --progress-bar off); fi
"${PIP[@]}" --upgrade pip
if [ -n "${FLOWBOOK_VENV_UNPINNED:-}" ]; then
  "${PIP[@]}" "${REQUIREMENTS[@]}"
else
  "${PIP[@]}" -c "$PINS" "${REQUIREMENTS[@]}"
fi
"$PY" -c "import jupyter_client, jupyter_kernel_test, nbclient, nbformat, papermill, jupyter_server, jupyterlab, pytest"
echo "$stamp_value" >"$stamp"
echo "jupyter-setup: $VENV ready ($("$PY" -c 'import jupyter_client; print("jupyter_client", jupyter_client.__version__)'))"
