"""The ``triborough`` command: import publisher files, build the warehouse, serve the app,
write the committee pack."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
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
    from triborough.warehouse.build import BuildError, build_warehouse
    from triborough.warehouse.council_store import stored_loads

    settings = get_settings()
    public = Path(args.public) if args.public else settings.public_dir
    out = Path(args.out) if args.out else settings.warehouse_path
    try:
        counts = build_warehouse(
            public, out, progress=lambda m: print(m, file=sys.stderr),
            events_scale=getattr(args, "events_scale", None),
            council_dir=settings.council_dir,
        )
    except BuildError as exc:
        print(str(exc), file=sys.stderr)
        print(f"the previous warehouse at {out} was left unchanged", file=sys.stderr)
        return 1
    for name, rows in counts.items():
        print(f"{name:<24} {rows:>10} rows")
    replayed = len(stored_loads(settings.council_dir))
    print(f"{replayed} council load(s) replayed from {settings.council_dir}")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from triborough.access.auth import AccessDenied, local_operator
    from triborough.warehouse.ingest import IngestError, Upload, WriteFailed, ingest

    warehouse = Path(args.warehouse) if args.warehouse else get_settings().warehouse_path
    paths = [Path(f) for f in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"ingest failed: file(s) not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        loads = ingest(
            [Upload.from_path(p) for p in paths], warehouse, table=args.table,
            progress=lambda _f, m: print(m, file=sys.stderr), by=local_operator(args.acting_as),
        )
    except (IngestError, FileNotFoundError, AccessDenied) as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        print(f"the warehouse at {warehouse} was left unchanged", file=sys.stderr)
        return 1
    except WriteFailed as exc:
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 1
    for load in loads:
        print(load.summary())
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from triborough.access import audit

    try:
        since = audit.parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(f"audit: --since {exc}", file=sys.stderr)
        return 2
    for entry in audit.entries(since):
        print(entry.line())
    return 0


def shared_mode_problems(host: str) -> list[str]:
    """Why the app may not serve on ``host`` as configured (empty when it may).

    Anything but a loopback address reaches other computers, so it needs sign-in: the
    ``[auth]`` section in the secrets files Streamlit will read, and a role map.
    """
    from streamlit import config as streamlit_config

    from triborough.access.auth import ConfigError, is_loopback, read_auth_section, signin_problems

    if is_loopback(host):
        return []
    os.chdir(PROJECT_ROOT)  # Streamlit looks for .streamlit/secrets.toml in the working folder
    # The files Streamlit will read: STREAMLIT_SECRETS_FILES (space-separated, as Streamlit's
    # command line reads it) when set, else its config (~/.streamlit/, then ./.streamlit/).
    listed = os.environ.get("STREAMLIT_SECRETS_FILES", "").split()
    files = [Path(f) for f in listed or streamlit_config.get_option("secrets.files")]
    try:
        section = read_auth_section(files)
    except ConfigError as exc:
        return [str(exc)]
    return signin_problems(section, get_settings().role_map)


def _cmd_backup(args: argparse.Namespace) -> int:
    from triborough.warehouse.backup import backup

    return _copy_store(backup, args.folder, "backup failed", None)


def _cmd_restore(args: argparse.Namespace) -> int:
    from triborough.warehouse.backup import restore

    return _copy_store(
        restore, args.folder, "restore failed",
        "the council-data store and audit log were left unchanged",
        after="run `triborough build` to replay the restored loads into the warehouse",
    )


def _copy_store(
    action: Callable[[Path, Path, Path, Path], list[str]],
    folder: str,
    failed: str,
    unchanged: str | None,
    after: str | None = None,
) -> int:
    """Run a backup or restore with the settings' paths and print what it did, or why not."""
    from triborough.warehouse.backup import BackupError

    settings = get_settings()
    try:
        done = action(Path(folder), settings.warehouse_path, settings.council_dir,
                      settings.audit_path)
    except (BackupError, OSError) as exc:
        print(f"{failed}: {exc}", file=sys.stderr)
        if unchanged:
            print(unchanged, file=sys.stderr)
        return 1
    for line in [*done, *([after] if after else [])]:
        print(line)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    host = args.host or settings.host
    problems = shared_mode_problems(host)
    if problems:
        print(f"refusing to serve on {host}: other computers could reach the dashboard with "
              "nobody signed in.", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print("Serve on 127.0.0.1 (the default) to use it on this computer only; README "
              "'Serving to others' shows a complete setup.", file=sys.stderr)
        return 2
    if not settings.warehouse_path.exists():
        print(f"building the warehouse at {settings.warehouse_path} ...", file=sys.stderr)
        code = _cmd_build(argparse.Namespace(public=None, out=None))
        if code:
            return code
    run_app(args.port, host)
    return 0  # pragma: no cover - run_app serves until stopped


def run_app(port: int, host: str = "127.0.0.1") -> None:
    """Serve app.py with Streamlit in this process, on ``host`` only.

    Streamlit decides once per process whether a ``pages/`` folder beside the main script means
    old-style page routing; with it, a deep link such as ``/overview`` runs the page script alone,
    skipping app.py's navigation, sign-in, sidebar filters and styles. app.py routes every page
    itself through ``st.navigation``, so the flag is cleared before the server starts.

    The server settings for a shared deployment are given here too, so that no config file can
    loosen them: the upload limit, XSRF and CORS protection on, no error details in pages.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    PagesManager.uses_pages_directory = False
    os.chdir(PROJECT_ROOT)
    sys.argv = [
        "streamlit", "run", str(PROJECT_ROOT / "app.py"),
        "--server.port", str(port), "--server.address", host,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.maxUploadSize", str(get_settings().max_upload_mb),
        "--server.enableXsrfProtection", "true", "--server.enableCORS", "true",
        "--client.showErrorDetails", "none",
    ]
    streamlit_cli.main()


def _cmd_bench(args: argparse.Namespace) -> int:
    from triborough.bench import BenchConfig, run_benchmark
    from triborough.bench.run import FIGURE_GROUPS

    config = BenchConfig(
        events=args.events,
        growth_events=args.growth_events,
        out=Path(args.out),
        work=Path(args.work),
        repeat=args.repeat,
        sessions=args.sessions,
        server=not args.no_server,
        pages=args.page,
        skip=frozenset(set(FIGURE_GROUPS) - set(args.only)) if args.only else frozenset(),
        command="triborough bench " + " ".join(sys.argv[2:]),
    )
    result = run_benchmark(config, say=lambda m: print(m, file=sys.stderr))
    print(result.get("markdown", ""))
    return 0


def _cmd_effect(args: argparse.Namespace) -> int:
    import json

    import polars as pl

    from triborough.read.connection import WarehouseMissing, connect_readonly
    from triborough.views.effect import EffectInputError, estimate, make_panel

    def refuse(message: str) -> int:
        print(f"effect: {message}", file=sys.stderr)
        return 2

    extra: dict[str, object] = {}
    try:
        if args.panel:
            if args.metric or args.real or args.cash or args.group or args.event:
                return refuse("--panel takes --treated, --first-treated and --method only")
            if not args.treated or not args.first_treated:
                return refuse("--panel needs --treated CODE[,CODE...] and --first-treated PERIOD")
            path = Path(args.panel)
            if not path.is_file():
                return refuse(f"panel file not found: {path}")
            try:
                frame = pl.read_csv(path, infer_schema=False)
            except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
                return refuse(f"{path} is not a readable CSV: {exc}")
            panel = make_panel(frame, args.treated.split(","), args.first_treated.strip())
        else:
            if not args.metric:
                return refuse("name an outcome with --metric CODE, or a file with --panel FILE")
            if args.treated or args.first_treated:
                return refuse("--treated and --first-treated go with --panel; --metric uses "
                              "the councils and dates of --event")
            from triborough.views.effect_data import load_panel

            warehouse = Path(args.warehouse) if args.warehouse else get_settings().warehouse_path
            try:
                con = connect_readonly(warehouse)
            except WarehouseMissing as exc:
                return refuse(f"{exc}; build it with: triborough build")
            try:
                loaded = load_panel(con, args.metric, comparison=args.group or "london",
                                    real=args.real, event=args.event or "sharing")
            finally:
                con.close()
            panel = loaded.panel
            extra = {
                "metric": loaded.outcome.code,
                "outcome": loaded.outcome.label,
                "event": loaded.event.key,
                "comparison": loaded.comparison,
                "prices": loaded.prices,
            }
        result = estimate(panel, args.method)
    except EffectInputError as exc:
        return refuse(str(exc))
    summary = {**result.summary(), **extra}
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    low, high = summary["ci_low"], summary["ci_high"]
    interval = ("no finite 95% interval: too few placebo sets" if low is None or high is None
                else f"95% interval {low:.4g} to {high:.4g}")
    print(f"{summary['method']}: effect {summary['effect']:.4g} ({interval}), "
          f"p = {summary['p_value']:.3f} by {summary['inference']}")
    print(f"{summary['n_treated']} treated, {summary['n_donors']} donors, "
          f"{summary['pre_periods']} periods before and {summary['post_periods']} from "
          f"{summary['first_treated']}")
    return 0


def _cmd_pack(args: argparse.Namespace) -> int:
    from triborough.pack.content import PackError, parse_boroughs, parse_years
    from triborough.pack.pdf_document import build_pack

    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".docx"):
        print(f"pack failed: --out {args.out} must name a .pdf or .docx (Word) file",
              file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"pack failed: folder {out.parent} does not exist", file=sys.stderr)
        return 2
    warehouse = get_settings().warehouse_path
    if not warehouse.exists():
        print(f"pack failed: no warehouse at {warehouse}: run `triborough build` first",
              file=sys.stderr)
        return 1
    try:
        areas = parse_boroughs(args.boroughs)
        first, last = parse_years(args.years)
        started = time.perf_counter()
        if out.suffix.lower() == ".docx":
            from triborough.pack.word_document import build_docx

            pdf = build_docx(warehouse, areas, first, last)
        else:
            pdf = build_pack(warehouse, areas, first, last)
    except PackError as exc:
        print(f"pack failed: {exc}", file=sys.stderr)
        return 2
    # Written beside the target and renamed, so a failed write never leaves half a PDF.
    partial = out.with_name(out.name + ".partial")
    try:
        partial.write_bytes(pdf)
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        print(f"pack failed: could not write {out}: {exc}", file=sys.stderr)
        return 1
    print(f"{out}: {len(pdf) / 1e6:.2f} MB in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from triborough.read.query_command import query_command

    return query_command(
        args.name, args.param or [], args.engine, args.format,
        Path(args.out) if args.out else None,
    )


def _cmd_export(args: argparse.Namespace) -> int:
    from triborough.read.query_command import export_command

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
    p.add_argument(
        "--as", dest="acting_as", metavar="NAME",
        help="who is loading, for meta_load.loaded_by and the audit log (default: the "
        "operating-system user)",
    )
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser(
        "backup", help="copy the council-data store and the audit log into a folder"
    )
    p.add_argument("folder", metavar="DIR", help="folder to create (must not exist or be empty)")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser(
        "restore", help="put back a backup's council-data store and audit log (checked first)"
    )
    p.add_argument("folder", metavar="DIR", help="folder written by `triborough backup`")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("serve", help="build the warehouse if missing, then start the app")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument(
        "--host", default=None,
        help="address to listen on (default: settings host, 127.0.0.1: this computer only); "
        "any other needs sign-in configured",
    )
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("audit", help="print the audit log: sign-ins, refusals, queries, loads")
    p.add_argument("--since", metavar="DATE",
                   help="only entries from this date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM, UTC)")
    p.set_defaults(func=_cmd_audit)

    p = sub.add_parser("pack", help="write the committee pack (A4 PDF or Word) for boroughs")
    p.add_argument("--boroughs", metavar="CODES",
                   help="ONS codes or short names, comma-separated (default: all three)")
    p.add_argument("--years", metavar="FROM-TO",
                   help="e.g. 2015-2024 (default: every year the sidebar offers)")
    p.add_argument("--out", required=True, metavar="FILE.pdf",
                   help="file to write: .pdf, or .docx for Word")
    p.set_defaults(func=_cmd_pack)

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
    p.add_argument(
        # triborough.bench.run.FIGURE_GROUPS, named here so that --help imports no benchmark
        "--only", action="append",
        choices=["build", "pages", "workbench", "server", "load", "pack"],
        help="measure only this group of figures (repeatable; the load test alone: --only load)",
    )
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser(
        "effect",
        help="estimate the effect of sharing (difference-in-differences or synthetic control)",
        description="The average effect on the treated over the post-periods, with a 95%% "
        "interval and p-value from randomisation inference. Exit code 2 on bad input.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--metric", metavar="CODE", help="outcome code (e.g. "
                        "spend_ph_social_care, cla_rate_per_10000)")
    source.add_argument("--panel", metavar="FILE.csv",
                        help="any panel with columns area_code,period,value")
    prices = p.add_mutually_exclusive_group()
    prices.add_argument("--real", action="store_true",
                        help="spend in real terms, 2024-25 prices (needs the GDP deflator "
                        "in the warehouse)")
    prices.add_argument("--cash", action="store_true", help="spend in cash (the default)")
    p.add_argument("--group", choices=["london", "neighbours"],
                   help="comparison group for --metric (default: london, without the City)")
    p.add_argument("--event", choices=["sharing", "split"],
                   help="for --metric: sharing from 2011-12 (default), or Hammersmith & Fulham "
                   "leaving in 2018-19 against Westminster and Kensington & Chelsea")
    p.add_argument("--treated", metavar="CODE[,CODE...]", help="treated areas (with --panel)")
    p.add_argument("--first-treated", metavar="PERIOD",
                   help="first treated period (with --panel)")
    p.add_argument("--method", choices=["did", "synth"], default="did")
    p.add_argument("--warehouse", help="warehouse file (default: settings warehouse_path)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_cmd_effect)

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
