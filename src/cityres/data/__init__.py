"""Read, validate and transform city panels.

The boundary of cityres: files in (CSV, Excel, Stata, Parquet; long or wide; Chinese or
English headers) → a validated :class:`CityPanel`; every change to the data is logged.
"""

from cityres.data.changelog import Change, ChangeLog
from cityres.data.io import check, read_panel
from cityres.data.names import CityMatch, CityRegister
from cityres.data.panel import CityPanel

__all__ = ["Change", "ChangeLog", "CityMatch", "CityPanel", "CityRegister", "check", "read_panel"]
