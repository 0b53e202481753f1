"""`python -m bench [--scale full|small] [--only a,b]`: the load bench (bench/run.py);
`python -m bench inprocess [learning] [questions]`: the in-process figures (bench/inprocess.py)."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["inprocess"]:
        from bench.inprocess import main as inprocess

        sys.exit(inprocess(sys.argv[2:]))
    from bench.run import main

    sys.exit(main(sys.argv[1:]))
