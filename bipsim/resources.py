"""Where the shipped data files are: inside the installed package, or in the repository.

The repository keeps them at the top level, readable and editable:
``scenarios/*.yaml`` and ``calibration/*.yaml``. A built wheel (``pip install .``
or ``pip wheel .``) copies them into the package as ``bipsim/shipped/scenarios``
and ``bipsim/shipped/calibration`` (``pyproject.toml``, ``[tool.setuptools.package-dir]``).
An editable install or a plain checkout has no copy, and reads the top-level folders.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The package folder a wheel installs the shipped files into.
SHIPPED = Path(str(files("bipsim"))) / "shipped"
#: The repository root when running from a checkout (an editable install).
CHECKOUT = Path(__file__).resolve().parents[1]


def shipped_folder(name: str) -> Path:
    """The folder of shipped ``scenarios`` or ``calibration`` files.

    Args:
        name: ``"scenarios"`` or ``"calibration"``.

    Returns:
        The copy inside the installed package if there is one, else the repository's
        top-level folder (which may be missing in a broken install; callers report
        missing files with the path they tried).
    """
    packaged = SHIPPED / name
    return packaged if packaged.is_dir() else CHECKOUT / name


def scenarios_folder() -> Path:
    """The shipped scenarios (``baseline.yaml`` and the rest)."""
    return shipped_folder("scenarios")


def calibration_folder() -> Path:
    """The shipped calibration: ``fitted.yaml`` (the baseline's fitted values), ``targets.yaml``."""
    return shipped_folder("calibration")
