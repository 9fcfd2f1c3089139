"""Declarative studies: one TOML file, one command, every number traceable.

A study names its data, the panel transformations to apply and an ordered list of
analysis steps. :func:`run_study` runs the steps (reusing cached outputs whose inputs and
parameters did not change) and writes one output folder with tables, figures, a DuckDB
file, a manifest and the bilingual HTML report.
"""

from cityres.study.config import StudyConfig, load_study
from cityres.study.pipeline import RunResult, run_study
from cityres.study.registry import StepSpec, get_step, register_step, registered_steps

__all__ = [
    "RunResult",
    "StepSpec",
    "StudyConfig",
    "get_step",
    "load_study",
    "register_step",
    "registered_steps",
    "run_study",
]
