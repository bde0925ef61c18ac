"""The ``triborough`` command: import publisher files, build the warehouse, serve the app."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from triborough.settings import PROJECT_ROOT, get_settings


def _cmd_import(args: argparse.Namespace) -> int:
    from triborough.importers import run_all
    from triborough.importers.common import ImportError_

    raw = Path(args.raw) if args.raw else get_settings().raw_dir
    out = Path(args.out) if args.out else get_settings().public_dir
    try:
        written = run_all(raw, out, tuple(args.only or ()))
    except (ImportError_, FileNotFoundError) as exc:
        print(f"import failed: {exc}", file=sys.stderr)
        return 1
    for w in written:
        print(f"{w.file:<32} {w.rows:>8} rows  {w.periods}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from triborough.build import BuildError, build_warehouse

    settings = get_settings()
    public = Path(args.public) if args.public else settings.public_dir
    out = Path(args.out) if args.out else settings.warehouse_path
    try:
        counts = build_warehouse(public, out, progress=lambda m: print(m, file=sys.stderr))
    except BuildError as exc:
        print(str(exc), file=sys.stderr)
        print(f"the previous warehouse at {out} was left unchanged", file=sys.stderr)
        return 1
    for name, rows in counts.items():
        print(f"{name:<24} {rows:>10} rows")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.warehouse_path.exists():
        print(f"building the warehouse at {settings.warehouse_path} ...", file=sys.stderr)
        code = _cmd_build(argparse.Namespace(public=None, out=None))
        if code:
            return code
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
        "--server.port", str(args.port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]
    os.chdir(PROJECT_ROOT)
    os.execv(sys.executable, cmd)
    return 0  # pragma: no cover


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``triborough`` console script."""
    parser = argparse.ArgumentParser(prog="triborough", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="regenerate data/public/ from the raw publisher files")
    p.add_argument("--raw", help="folder of raw publisher files (default: settings raw_dir)")
    p.add_argument("--out", help="folder for the tidy extracts (default: settings public_dir)")
    p.add_argument("--only", action="append", help="run only this importer (repeatable)")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("build", help="build the DuckDB warehouse from data/public/")
    p.add_argument("--public", help="folder of tidy extracts (default: settings public_dir)")
    p.add_argument("--out", help="warehouse file (default: settings warehouse_path)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("serve", help="build the warehouse if missing, then start the app")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=_cmd_serve)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
