"""The ``cityres`` command line (typer + rich): thin commands over the Python API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cityres._shared.errors import ArgumentError, CityresError

app = typer.Typer(
    name="cityres",
    help="Measure and explain the economic resilience of cities.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)
data_app = typer.Typer(help="Read and check data files.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _fail(exc: Exception, debug: bool) -> None:
    if debug:
        raise exc
    err.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(code=1)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("cityres-demo"),
    debug: Annotated[bool, typer.Option(help="Show the full traceback on failure.")] = False,
) -> None:
    """Run the bundled demo study on yrd_sim (SIMULATED data) and write its report."""
    from importlib import resources

    source = resources.files("cityres.study") / "demo.toml"
    with resources.as_file(source) as study:
        _run(study, out, debug)


@app.command()
def run(
    study: Annotated[Path, typer.Argument(help="The study file (TOML).")],
    out: Annotated[Path, typer.Option(help="Output folder (created or replaced).")],
    debug: Annotated[bool, typer.Option(help="Show the full traceback on failure.")] = False,
) -> None:
    """Run a study and write tables, figures, study.duckdb, manifest.json and report.html."""
    _run(study, out, debug)


def _run(study: Path, out: Path, debug: bool) -> None:
    from cityres.study import run_study

    try:
        result = run_study(study, out)
    except CityresError as exc:
        _fail(exc, debug)
        return
    except Exception as exc:  # an unexpected failure still gets one line, not a traceback
        if debug:
            raise
        err.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (rerun with --debug)")
        raise typer.Exit(code=2) from None
    cached = sum(r.cached for r in result.steps)
    if result.manifest.get("simulated"):
        console.print("[bold red]SIMULATED DATA[/] — not real statistics")
    console.print(
        f"{len(result.steps)} steps ({cached} reused from cache) → {result.out}\n"
        f"report: {result.report}",
        highlight=False, soft_wrap=True,
    )


@app.command("new-study")
def new_study_cmd(
    folder: Annotated[Path, typer.Argument(help="A new folder for the study.")],
    debug: Annotated[bool, typer.Option(help="Show the full traceback on failure.")] = False,
) -> None:
    """Write a commented study template and a data template to fill from a yearbook."""
    from cityres.study.template import new_study

    try:
        files = new_study(folder)
    except CityresError as exc:
        _fail(exc, debug)
        return
    for f in files:
        console.print(f"wrote {f}", highlight=False)


@app.command("datasets")
def datasets_cmd() -> None:
    """List the bundled datasets with source, licence and whether they are simulated."""
    from cityres import datasets

    datasets.list()


@data_app.command("check")
def data_check(
    path: Annotated[list[Path], typer.Argument(help="Data file(s): CSV, XLSX, DTA, Parquet.")],
    layout: Annotated[str, typer.Option(help="long (one row per city-year) or wide.")] = "long",
    city: Annotated[str | None, typer.Option(help="Header of the city column.")] = None,
    year: Annotated[str | None, typer.Option(help="Header of the year column.")] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: all / first).")] = None,
    names: Annotated[str, typer.Option(help="auto, code, name or none.")] = "auto",
    debug: Annotated[bool, typer.Option(help="Show the full traceback on failure.")] = False,
) -> None:
    """Print every problem in a data file; exit with code 1 if there is any."""
    from cityres.data import check

    try:
        if layout not in ("long", "wide"):
            raise ArgumentError(f"--layout {layout!r}; accepted: 'long' or 'wide'")
        if names not in ("auto", "code", "name", "none"):
            raise ArgumentError(f"--names {names!r}; accepted: auto, code, name or none")
        problems = check(
            path,
            layout=layout,  # type: ignore[arg-type]
            city=city,
            year=year,
            sheet=sheet,
            names=names,  # type: ignore[arg-type]
        )
    except CityresError as exc:
        _fail(exc, debug)
        return
    if not problems:
        console.print(f"[green]no problems[/] in {', '.join(map(str, path))}")
        return
    for p in problems:
        colour = "yellow" if p.severity == "warning" else "red"
        console.print(
            f"[{colour}]{p.kind}[/] {p.where()}: {p.message}", highlight=False, soft_wrap=True
        )
    console.print(f"{len(problems)} problem(s)")
    raise typer.Exit(code=1)


if __name__ == "__main__":  # pragma: no cover
    app()
