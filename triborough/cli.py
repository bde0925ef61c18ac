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
        counts = build_warehouse(
            public, out, progress=lambda m: print(m, file=sys.stderr),
            events_scale=getattr(args, "events_scale", None),
        )
    except BuildError as exc:
        print(str(exc), file=sys.stderr)
        print(f"the previous warehouse at {out} was left unchanged", file=sys.stderr)
        return 1
    for name, rows in counts.items():
        print(f"{name:<24} {rows:>10} rows")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from triborough.ingest import IngestError, Upload, ingest

    warehouse = Path(args.warehouse) if args.warehouse else get_settings().warehouse_path
    paths = [Path(f) for f in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"ingest failed: file(s) not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        loads = ingest(
            [Upload.from_path(p) for p in paths], warehouse, table=args.table,
            progress=lambda _f, m: print(m, file=sys.stderr),
        )
    except (IngestError, FileNotFoundError) as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        print(f"the warehouse at {warehouse} was left unchanged", file=sys.stderr)
        return 1
    for load in loads:
        print(load.summary())
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.warehouse_path.exists():
        print(f"building the warehouse at {settings.warehouse_path} ...", file=sys.stderr)
        code = _cmd_build(argparse.Namespace(public=None, out=None))
        if code:
            return code
    run_app(args.port)
    return 0  # pragma: no cover - run_app serves until stopped


def run_app(port: int) -> None:
    """Serve app.py with Streamlit in this process.

    Streamlit decides once per process whether a ``pages/`` folder beside the main script means
    old-style page routing; with it, a deep link such as ``/overview`` runs the page script alone,
    skipping app.py's navigation, sidebar filters and styles. app.py routes every page itself
    through ``st.navigation``, so the flag is cleared before the server starts.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    PagesManager.uses_pages_directory = False
    os.chdir(PROJECT_ROOT)
    sys.argv = [
        "streamlit", "run", str(PROJECT_ROOT / "app.py"),
        "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]
    streamlit_cli.main()


def _cmd_bench(args: argparse.Namespace) -> int:
    from triborough.bench import BenchConfig, run_benchmark

    config = BenchConfig(
        events=args.events,
        growth_events=args.growth_events,
        out=Path(args.out),
        work=Path(args.work),
        repeat=args.repeat,
        sessions=args.sessions,
        server=not args.no_server,
        pages=args.page,
        command="triborough bench " + " ".join(sys.argv[2:]),
    )
    result = run_benchmark(config, say=lambda m: print(m, file=sys.stderr))
    print(result.get("markdown", ""))
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from triborough.query_command import query_command

    return query_command(
        args.name, args.param or [], args.engine, args.format,
        Path(args.out) if args.out else None,
    )


def _cmd_export(args: argparse.Namespace) -> int:
    from triborough.query_command import export_command

    return export_command(args.dir, Path(args.warehouse) if args.warehouse else None)


def _cmd_bench_spark(args: argparse.Namespace) -> int:
    from triborough.bench.spark_scale import run_spark_scale

    result = run_spark_scale(
        args.events, Path(args.work), Path(args.out), repeat=args.repeat, reuse=args.reuse,
        say=lambda m: print(m, file=sys.stderr),
    )
    print(result["markdown"])
    return 0


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
    p.add_argument(
        "--events-scale", type=int, metavar="N", default=None,
        help="generate about N illustrative case events (default: a realistic few hundred "
        "thousand)",
    )
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "ingest", help="validate council extracts and load them (all or nothing)"
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="CSV extract(s) to load")
    p.add_argument("--table", help="table the files are for (default: detected from the header)")
    p.add_argument("--warehouse", help="warehouse file (default: settings warehouse_path)")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("serve", help="build the warehouse if missing, then start the app")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("bench", help="measure speed against limits and a pandas peer")
    p.add_argument("--events", type=int, default=10_000_000, help="case events to generate")
    p.add_argument("--growth-events", type=int, default=None,
                   help="smaller scale for the growth figure (default: 1,000,000)")
    p.add_argument("--out", default=str(PROJECT_ROOT / "bench-results"),
                   help="folder for the JSON and markdown results")
    p.add_argument("--work", default=str(PROJECT_ROOT / "data" / "bench"),
                   help="folder for the benchmark's warehouses and CSVs (large)")
    p.add_argument("--repeat", type=int, default=3, help="timed repetitions per figure")
    p.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions")
    p.add_argument("--no-server", action="store_true", help="skip the server figure")
    p.add_argument("--page", action="append", help="measure only this page (url path)")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser(
        "bench-spark", help="time one caseload query on Spark and DuckDB over N case events"
    )
    p.add_argument("--events", type=int, default=50_000_000, help="case events to generate")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per engine and scope")
    p.add_argument("--out", default=str(PROJECT_ROOT / "bench-results"),
                   help="folder for the JSON and markdown results")
    p.add_argument("--work", default=str(PROJECT_ROOT / "data" / "bench"),
                   help="folder for the warehouse and its Parquet export (large)")
    p.add_argument("--reuse", action="store_true",
                   help="reuse a warehouse and export of this size left by an earlier run")
    p.set_defaults(func=_cmd_bench_spark)

    p = sub.add_parser("query", help="run a named query from queries/ on DuckDB or Spark")
    p.add_argument("name", metavar="NAME", help="query name (a file in queries/, no .sql)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="a parameter from the query's header (repeatable; lists comma-separated)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default=None,
                   help="engine (default: settings engine)")
    p.add_argument("--format", choices=("csv", "parquet", "json"), default="csv")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    p.set_defaults(func=_cmd_query)

    p = sub.add_parser("export", help="write every warehouse table as Parquet with a manifest")
    p.add_argument("--format", choices=("parquet",), required=True)
    p.add_argument("dir", metavar="DIR", help="new or empty folder for the export")
    p.add_argument("--warehouse", help="warehouse file (default: settings warehouse_path)")
    p.set_defaults(func=_cmd_export)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
