"""Keep the user's desktop databases in step with the files ``--install-desktop`` writes.

Standard library only (used by app.desktop_entry, which must work without Qt).

Two freedesktop.org caches are derived from source files in ``$XDG_DATA_HOME``:

- the shared MIME database: ``mime/packages/*.xml`` -> ``mime/mime.cache``, ``mime/globs2``, ...
  rebuilt by ``update-mime-database`` (package shared-mime-info). Without it the studio's
  ``.crstudio`` type is not known to file managers until something else rebuilds the database;
- the desktop-entry MIME cache: ``applications/*.desktop`` -> ``applications/mimeinfo.cache``,
  rebuilt by ``update-desktop-database`` (package desktop-file-utils). Most desktops also scan the
  entries themselves, so without it the entry still works; the cache only speeds the look-up up.

When uninstalling leaves a cache with no source at all (our files were the only ones), the
cache is removed instead of rebuilt, so install followed by uninstall leaves nothing behind.
"""
import shutil
import subprocess
from pathlib import Path

MIME_TOOL = "update-mime-database"
DESKTOP_TOOL = "update-desktop-database"

# What update-mime-database writes beside packages/ (shared-mime-info 2.x), plus one folder per
# media type ("application/", "text/", ...) holding a file per MIME type.
GENERATED_MIME_FILES = ("XMLnamespaces", "aliases", "generic-icons", "globs", "globs2", "icons",
                        "magic", "mime.cache", "subclasses", "treemagic", "types", "version")
GENERATED_DESKTOP_FILES = ("mimeinfo.cache",)


def _run_tool(tool, folder, out):
    """Run ``tool folder``; True when it ran and succeeded. Says what happened through ``out``."""
    path = shutil.which(tool)
    if path is None:
        return None
    try:
        subprocess.run([path, str(folder)], check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except subprocess.CalledProcessError as err:
        detail = (err.stderr or b"").decode(errors="replace").strip()
        out(f"({tool} failed: {detail or err})")
        return False
    except (OSError, subprocess.SubprocessError) as err:
        out(f"({tool} failed: {err})")
        return False
    return True


def update_mime_database(mime_dir, out=print):
    """Rebuild the user's MIME database from ``mime_dir/packages``; None when the tool is absent."""
    done = _run_tool(MIME_TOOL, mime_dir, out)
    if done:
        out(f"Updated the MIME database in {mime_dir}")
    elif done is None:
        out(f"{MIME_TOOL} was not found (Debian package shared-mime-info): file managers learn "
            f"the .crstudio type the next time the MIME database in {mime_dir} is rebuilt")
    return done


def update_desktop_database(applications_dir, out=print):
    """Rebuild mimeinfo.cache of ``applications_dir``; None when the tool is absent."""
    done = _run_tool(DESKTOP_TOOL, applications_dir, out)
    if done:
        out(f"Updated the desktop database in {applications_dir}")
    elif done is None:
        out(f"{DESKTOP_TOOL} was not found (Debian package desktop-file-utils); desktops that "
            f"scan {applications_dir} themselves still find the entry")
    return done


def _remove_files(folder, names):
    for name in names:
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass


def _remove_empty_dirs(folder):
    """Remove ``folder``'s empty subfolders (deepest first), then ``folder`` itself if empty."""
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        try:
            sub.rmdir()
        except OSError:
            pass  # not empty: someone else's
    try:
        folder.rmdir()
    except OSError:
        pass


def forget_mime_package(mime_dir, mime_types, out=print):
    """After our XML left ``mime_dir/packages``: rebuild the database, or drop it if it has no source.

    ``mime_types``: the types our XML declared; their files in the database (``application/x-....xml``)
    are removed by hand when no other package is left, in case the tool is not there to do it."""
    mime_dir = Path(mime_dir)
    packages = mime_dir / "packages"
    if packages.is_dir() and any(packages.iterdir()):
        update_mime_database(mime_dir, out)
        return
    if not mime_dir.is_dir():
        return
    _remove_files(mime_dir, GENERATED_MIME_FILES)
    _remove_files(mime_dir, (f"{mime_type}.xml" for mime_type in mime_types))
    _remove_empty_dirs(mime_dir)  # the media-type folders the tool made, packages/, mime/
    out(f"Removed the MIME database in {mime_dir} (no types were left in it)")


def forget_desktop_entry(applications_dir, out=print):
    """After our entry left ``applications_dir``: rebuild its cache, or drop it if no entry is left."""
    applications_dir = Path(applications_dir)
    if not applications_dir.is_dir():
        return
    if any(applications_dir.rglob("*.desktop")):
        update_desktop_database(applications_dir, out)
        return
    _remove_files(applications_dir, GENERATED_DESKTOP_FILES)
    try:
        applications_dir.rmdir()
    except OSError:
        pass  # something else lives there
