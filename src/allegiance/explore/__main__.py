"""``python -m allegiance.explore``: the server process ``allegiance explore`` starts."""

from __future__ import annotations

import argparse

from .app import serve
from .limits import Limits

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m allegiance.explore")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--open", action="store_true")
    args = parser.parse_args()
    serve(args.host, args.port, Limits.from_env(), args.open)
