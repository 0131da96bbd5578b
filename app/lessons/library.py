"""Where lessons come from: the shipped ones in resources/lessons/ (found through app.resources, so
an installed wheel has them too) by name, or a teacher's file by path; read with the studio's own
command, panel and dataset names, so a file naming one that does not exist is refused with its line."""
from __future__ import annotations

from pathlib import Path

import core
from core.lessons import LESSON_SUFFIX, Lesson, LessonError, Vocabulary, read_lesson_file

from .. import resources

LESSON_FOLDER = "lessons"


def shipped_lessons() -> list[Path]:
    """The lesson files that come with the studio, by name."""
    try:
        folder = resources.resource_path(LESSON_FOLDER)
    except FileNotFoundError:
        return []
    return sorted(folder.glob(f"*{LESSON_SUFFIX}"))


def lesson_path(name_or_path: str) -> Path:
    """A shipped lesson's file by name (chain-rule), or the path itself; FileNotFoundError saying
    which names exist."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path
    for shipped in shipped_lessons():
        if shipped.stem == name_or_path or shipped.name == name_or_path:
            return shipped
    names = ", ".join(p.stem for p in shipped_lessons()) or "none"
    raise FileNotFoundError(f"no lesson named {name_or_path!r} (shipped lessons: {names}; or give a file's path)")


def vocabulary(registry, panels) -> Vocabulary:
    """The names a lesson may use in this window: its command ids, the Network lab's panels and the
    built-in datasets."""
    return Vocabulary(actions=frozenset(spec.id for spec in registry.specs()), panels=frozenset(panels),
                      datasets=frozenset(core.DATASETS))


def load(name_or_path: str, vocab: Vocabulary | None = None) -> Lesson:
    """The lesson, or LessonError / FileNotFoundError with what is wrong."""
    return read_lesson_file(lesson_path(name_or_path), vocab)


__all__ = ["shipped_lessons", "lesson_path", "vocabulary", "load", "LessonError"]
