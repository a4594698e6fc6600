"""Executes a notebook with nbclient against an installed kernel, as CI and papermill do.

usage: execute_notebook.py SOURCE.ipynb OUT.ipynb [--cwd DIR] [--timeout SECONDS] [--kernel NAME]

The executed notebook (outputs included) is written to OUT even when a cell fails; the
exit status is 1 then, with nbclient's error on stderr. The kernel runs in --cwd (by
default the notebook's own folder), so relative paths in cells resolve as in JupyterLab.
"""
import argparse
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--cwd")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--kernel", default="flowbook")
    a = ap.parse_args()
    nb = nbformat.read(a.source, as_version=4)
    cwd = a.cwd or os.path.dirname(os.path.abspath(a.source))
    client = NotebookClient(
        nb,
        timeout=a.timeout,
        startup_timeout=120,
        kernel_name=a.kernel,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": cwd}},
    )
    started = time.time()
    status = 0
    try:
        client.execute()
    except CellExecutionError as e:
        print(str(e), file=sys.stderr)
        status = 1
    finally:
        nbformat.write(nb, a.out)
    print(f"executed {a.source} in {time.time() - started:.1f} s", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
