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
    debug: Annotated[bool, typer.Option(help="Show the full traceback on failure.")] = False,
) -> None:
    """Load the bundled demo panel (yrd_sim, SIMULATED) and print its summary."""
    from cityres import datasets

    try:
        panel = datasets.load("yrd_sim")
    except CityresError as exc:
        _fail(exc, debug)
        return
    console.print(panel.summary(), markup=False, highlight=False, soft_wrap=True)


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
