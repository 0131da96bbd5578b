"""The session's choice of the plane the cost surface is drawn over, a mixin of the session model.

Three planes (issue 10 §3): ``"axes"``, two chosen parameters with the others held (the lesson's
surface); ``"random"``, two filter-normalized random directions through all the parameters (Li et
al.), from a seed the learner can change; ``"pca"``, the first two principal components of the shown
run's path. The choice is session state like the axes: the surface view observes
``surfacePlaneChanged`` and the snapshot carries what the planes need (the path as full parameter
vectors), which the training worker copies only while a plane other than the axes is chosen.
"""
from __future__ import annotations

from .transactions import transaction

SURFACE_PLANES = ("axes", "random", "pca")
PLANE_TITLES = {"axes": "two parameters", "random": "two random directions",
                "pca": "the path's principal components"}


class SurfacePlaneCommands:
    """Mixin: needs the session's ``_engine``, ``_refresh``, ``_emit``; state ``_surface_plane``,
    ``_plane_seed`` (set up by ``_init_surface_plane``)."""

    def _init_surface_plane(self) -> None:
        self._surface_plane = "axes"
        self._plane_seed = 0

    @property
    def surface_plane(self) -> str:
        """How the cost surface's plane is chosen: one of SURFACE_PLANES."""
        return self._surface_plane

    @property
    def plane_seed(self) -> int:
        """The seed of the random directions (used by the "random" plane)."""
        return self._plane_seed

    @property
    def needs_full_path(self) -> bool:
        """True when snapshots must carry the path as full parameter vectors (a plane through them)."""
        return self._surface_plane != "axes"

    @transaction
    def set_surface_plane(self, plane: str, seed: int | None = None) -> None:
        if plane not in SURFACE_PLANES:
            raise ValueError(f"unknown surface plane {plane!r}; choose from {', '.join(SURFACE_PLANES)}")
        seed = self._plane_seed if seed is None else int(seed)
        if (plane, seed) != (self._surface_plane, self._plane_seed):
            with self._engine.edit(publish=False):   # the worker reads it for its snapshots
                self._surface_plane, self._plane_seed = plane, seed
            self._refresh()
            self._emit("surfacePlaneChanged", plane, seed)

    @transaction
    def cycle_surface_plane(self, offset: int = 1) -> None:
        """Two parameters → two random directions → principal components of the path → …"""
        index = SURFACE_PLANES.index(self._surface_plane)
        self.set_surface_plane(SURFACE_PLANES[(index + offset) % len(SURFACE_PLANES)])

    @transaction
    def new_plane_seed(self) -> None:
        """Two new random directions (the next seed), showing the random plane."""
        self.set_surface_plane("random", self._plane_seed + 1)
