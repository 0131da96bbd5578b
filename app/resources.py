"""The one way to find files under resources/ (icon, desktop-entry and MIME templates, data).

resources/ sits at the top of the checkout, beside app/ and core/. A wheel (``pip install .``,
``pipx install .``) carries the same files inside the installed package as
``app/packaged_resources/`` (pyproject.toml maps that name to resources/). They are looked for
there first (through importlib.resources, so the package's own location decides), then beside
the code: the checkout and an editable install (``pip install -e .``, which keeps the code in
place). ``CHAINRULE_STUDIO_RESOURCES=/some/dir`` overrides both.

Standard library only at import time (app.desktop_entry uses it without Qt).
"""
import os
from pathlib import Path

APP_ID = "chainrule-studio"
ENV_OVERRIDE = "CHAINRULE_STUDIO_RESOURCES"
_MARKER = f"{APP_ID}.svg"  # a directory is ours only if it holds the app icon
PACKAGED_NAME = "packaged_resources"  # the folder inside the installed `app` package


def _packaged_dir():
    """app/packaged_resources of the imported `app` package, if it is a real folder on disk."""
    from importlib import resources as importlib_resources

    try:
        folder = importlib_resources.files("app").joinpath(PACKAGED_NAME)
    except (ModuleNotFoundError, TypeError):  # `app` imported from somewhere without a location
        return None
    return folder if isinstance(folder, Path) else None  # e.g. inside a zip: not usable as files


def _candidates():
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        yield Path(override)
    packaged = _packaged_dir()
    if packaged is not None:
        yield packaged
    yield Path(__file__).resolve().parent.parent / "resources"


def resources_dir():
    """The resources directory; FileNotFoundError (saying where it looked) if there is none."""
    tried = []
    for candidate in _candidates():
        if (candidate / _MARKER).is_file():
            return candidate
        tried.append(str(candidate))
    raise FileNotFoundError(
        "Chain Rule Studio's resources/ directory was not found (looked in: "
        + ", ".join(tried) + f"); set {ENV_OVERRIDE} to its location")


def resource_path(*parts):
    """Path of a file under resources/, e.g. ``resource_path("datasets", "xor.csv")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing resource: {path}")
    return path


def icon_path():
    return resource_path(f"{APP_ID}.svg")


def desktop_template_path():
    return resource_path(f"{APP_ID}.desktop.in")


def mime_package_path():
    """The shared-mime-info XML that declares the session file type (``*.crstudio``)."""
    return resource_path(f"{APP_ID}-mime.xml")


def app_icon():
    """The application icon as a QIcon, or None if the icon file cannot be found."""
    try:
        path = icon_path()
    except FileNotFoundError:
        return None
    from PySide6.QtGui import QIcon

    return QIcon(str(path))
