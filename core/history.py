"""A bounded record of a training run: (step, cost, parameter vector[, test cost]) per recorded step.

The app draws the whole path on the cost surface and the whole cost curve, live, for runs of any
length. Keeping every step of a million-step run would cost memory and make every redraw slower, so
the history keeps at most ``capacity`` records:

* the newest quarter of the capacity is always kept at full resolution (the live path stays dense);
* older records are thinned *uniformly*: they are kept only at a common stride (every k-th append).
  When the buffer fills, records that left the dense tail are thinned to that stride, and if that
  is not enough the stride doubles (keep every other record), until at most three quarters of the
  capacity is used — so each thinning frees at least a quarter and its cost is amortised;
* the very first record is always kept (the path's starting point) and so is the newest.

Uniform thinning (rather than "halve whatever is oldest") keeps the early part of a run — where
gradient descent moves the most — as well sampled as the middle.

Copies share: ``until`` gives a history that shares the record buffers (a branch, an undo state),
and a record is written once, in place only by a history standing at the buffers' frontier (its
records are all the buffers hold); another copies its own records first, and thinning writes new
buffers. So a thousand undo states of one run hold one path, not a thousand.
"""
from __future__ import annotations

import numpy as np

__all__ = ["History"]


class History:
    def __init__(self, capacity: int = 2000):
        capacity = int(capacity)
        if capacity < 8:
            raise ValueError(f"history capacity must be at least 8, got {capacity}")
        self.capacity = capacity
        self._dense = capacity // 4
        self._steps = np.empty(capacity, dtype=np.int64)
        self._costs = np.empty(capacity, dtype=np.float64)
        self._test_costs = np.empty(capacity, dtype=np.float64)  # NaN where no test set was given
        self._ordinals = np.empty(capacity, dtype=np.int64)  # append count, the thinning clock
        self._params: np.ndarray | None = None
        self._n = 0
        self._appended = 0
        self._stride = 1
        self._filled = [0]   # records written in these buffers, shared with the histories sharing them

    _BUFFERS = ("_steps", "_costs", "_test_costs", "_ordinals", "_params")

    def _own(self) -> None:
        """Copy this history's records into buffers of its own (another one wrote past them)."""
        n = self._n
        for name in self._BUFFERS:
            shared = getattr(self, name)
            if shared is not None:
                mine = np.empty_like(shared)
                mine[:n] = shared[:n]
                setattr(self, name, mine)
        self._filled = [n]

    def append(self, step: int, cost: float, parameters, test_cost: float = np.nan) -> None:
        """Record a step; ``test_cost`` is the held-out cost, if there is a test set."""
        p = np.asarray(parameters, dtype=np.float64).ravel()
        if self._params is None:
            self._params = np.empty((self.capacity, p.size), dtype=np.float64)
        elif p.size != self._params.shape[1]:
            raise ValueError(f"expected {self._params.shape[1]} parameters per record, got {p.size}")
        if self._n == self.capacity:
            self._thin()
        if self._filled[0] != self._n:
            self._own()
        n = self._n
        self._steps[n] = step
        self._costs[n] = cost
        self._test_costs[n] = test_cost
        self._params[n] = p
        self._ordinals[n] = self._appended
        self._n += 1
        self._filled[0] = self._n
        self._appended += 1

    def _thin(self) -> None:
        n = self._n
        older = n - self._dense
        target = (3 * self.capacity) // 4 - self._dense
        ordinals = self._ordinals[:older]
        while True:
            # Thin at the current stride first (it drops the records that just left the dense
            # tail); halve the resolution only when that is not enough.
            keep = ordinals % self._stride == 0
            keep[0] = True
            if keep.sum() <= target:
                break
            self._stride *= 2
        index = np.concatenate([np.flatnonzero(keep), np.arange(older, n)])
        m = index.size
        for name in self._BUFFERS:   # into new buffers: histories sharing the old ones keep them
            old = getattr(self, name)
            new = np.empty_like(old)
            new[:m] = old[index]
            setattr(self, name, new)
        self._n = m
        self._filled = [m]

    def columns(self, columns, until: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(steps, parameters[:, columns]) of the records (up to step ``until``), copying only those
        columns: a snapshot asks for two of up to 1,459 every frame."""
        steps = self._steps[:self._n]
        keep = slice(None) if until is None else steps <= until
        if self._params is None:
            return steps[:0].copy(), np.empty((0, len(columns)))
        chosen = self._params[:self._n, list(columns)]   # the columns first: rows by the mask copied whole
        return steps[keep].copy(), chosen[keep]          # cost 6 MB a trace of a 2,000-record path

    def sampled(self, until: int, max_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """(steps, full parameter vectors) of at most ``max_rows`` records up to step ``until``, evenly
        spread, the first and the last always among them; copies of those rows only (a plane through
        the path needs every parameter, but not every record)."""
        steps = self._steps[:self._n]
        index = np.flatnonzero(steps <= until)
        if self._params is None or index.size == 0:
            return steps[:0].copy(), np.empty((0, 0 if self._params is None else self._params.shape[1]))
        if index.size > max_rows:
            index = index[np.unique(np.round(np.linspace(0, index.size - 1, max(2, max_rows))).astype(np.int64))]
        return steps[index].copy(), self._params[index].copy()

    def parameters_at(self, step: int) -> np.ndarray | None:
        """A copy of the parameters recorded for ``step`` (the newest record of it), or None when
        that step was not recorded or has been thinned away."""
        if self._params is None:
            return None
        found = np.flatnonzero(self._steps[:self._n] == step)
        return self._params[found[-1]].copy() if found.size else None

    def until(self, step: int) -> "History":
        """A copy holding only the records of steps <= ``step`` (for a branch from that step, or an
        undo state): it shares the buffers when those records come first, as they do in a run."""
        keep = np.flatnonzero(self._steps[:self._n] <= step)
        m = keep.size
        if m == 0 or keep[-1] == m - 1:
            clone = History.__new__(History)
            clone.__dict__.update(self.__dict__)   # the same buffers and frontier counter
            clone._n = m
            clone._appended = int(self._ordinals[m - 1]) + 1 if m else 0
            return clone
        clone = History(self.capacity)
        for name in ("_steps", "_costs", "_test_costs", "_ordinals"):
            getattr(clone, name)[:m] = getattr(self, name)[keep]
        if self._params is not None:
            clone._params = np.empty_like(self._params)
            clone._params[:m] = self._params[keep]
        clone._n = m
        clone._appended = int(self._ordinals[keep[-1]]) + 1 if m else 0
        clone._stride = self._stride
        return clone

    def export(self) -> dict:
        """Everything the history holds, as plain arrays and numbers (for session files)."""
        n = self._n
        params = self._params[:n].copy() if self._params is not None else None
        return {"capacity": self.capacity, "stride": self._stride, "appended": self._appended,
                "steps": self._steps[:n].copy(), "costs": self._costs[:n].copy(),
                "test_costs": self._test_costs[:n].copy(), "ordinals": self._ordinals[:n].copy(),
                "parameters": params}

    @classmethod
    def restore(cls, exported: dict) -> "History":
        """The history ``export`` described (its caller validated the shapes)."""
        history = cls(exported["capacity"])
        n = len(exported["steps"])
        if n > history.capacity:
            raise ValueError(f"{n} records do not fit a capacity of {history.capacity}")
        history._steps[:n] = exported["steps"]
        history._costs[:n] = exported["costs"]
        history._test_costs[:n] = exported["test_costs"]
        history._ordinals[:n] = exported["ordinals"]
        if exported["parameters"] is not None:
            params = np.asarray(exported["parameters"], dtype=np.float64)
            history._params = np.empty((history.capacity, params.shape[1]), dtype=np.float64)
            history._params[:n] = params
        history._n, history._appended, history._stride = n, int(exported["appended"]), int(exported["stride"])
        history._filled = [n]
        return history

    def clear(self) -> None:
        """Forget every record (the parameter count may change on the next append)."""
        self._n = 0
        self._appended = 0
        self._stride = 1
        self._params = None

    def __len__(self) -> int:
        return self._n

    @property
    def steps(self) -> np.ndarray:
        """Step numbers of the records, oldest first (a copy)."""
        return self._steps[:self._n].copy()

    @property
    def costs(self) -> np.ndarray:
        return self._costs[:self._n].copy()

    @property
    def test_costs(self) -> np.ndarray:
        """The test-set cost of each record (NaN for records made without a test set; a copy)."""
        return self._test_costs[:self._n].copy()

    @property
    def parameters(self) -> np.ndarray:
        """(records, parameters) in the network's ``parameter_names`` order (a copy)."""
        if self._params is None:
            return np.empty((0, 0))
        return self._params[:self._n].copy()

    def __repr__(self) -> str:
        return f"<History {self._n}/{self.capacity} records>"
