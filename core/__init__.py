"""Chain Rule Studio's computation core (numpy + sympy, never Qt).

A library a teacher could use from a notebook: the lesson network x -> sigma(w1 x + b1) ->
sigma(w2 a1 + b2) -> J and its generalisation to any layer sizes, the chain-rule breakdown of every
gradient, gradient descent with divergence caught, a bounded training history, the built-in datasets
and fast cost surfaces with their contour lines, and the cost over planes through all the parameters
(filter-normalized random directions, principal components of a path) with the path projected on them.

``import core`` stays cheap: sympy (0.3-2 s to import) is only imported when a formula is actually
asked for (``Activation.symbolic``, ``Factor.formula``, ``core.symbolic``).
"""
from .activations import ACTIVATIONS, Activation, sigmoid
from .backprop_view import (ChainPath, ChainPaths, Recursion, backward_recursion, chain_paths, path_count,
                            path_nodes)
from .chain import Chain, Factor
from .contours import ContourLine, contour_levels, contour_lines
from .datasets import (DATASET_INFO, DATASET_NOISE, DATASET_TASKS, DATASET_TITLES, DATASETS, Dataset,
                       DatasetInfo, add_point, dataset_from_tabular, load_dataset, nearest_point,
                       output_for_task, remove_point, train_test_split)
from .fields import (DecisionField, NeuronCurves, NeuronFields, PredictionCurve, confidence_and_class,
                     decision_field, neuron_curves, neuron_fields, prediction_curve)
from .gradient_health import HEALTHY_UPDATE_RATIO, GradientHealth, LayerHealth, gradient_health, vanishing_gradient_example
from .gradcheck import GradientCheck, GradientCheckRow, finite_difference_gradient, gradient_check
from .history import History
from .losses import ALL_LOSSES, LOSSES, Loss
from .metrics import accuracy
from .naming import ParameterRef
from .network import Backward, Network, Trace, lesson_network
from .surface import cost_slice, cost_surface
from .landscape import PathProjection, Plane, costs_at, pca_plane, plane_surface, project_path, random_plane
from . import problem
from .problem import HIDDEN_ACTIVATIONS, compatible_losses, fit_network, output_fits
from .run import Run
from .diagnosis import Diagnosis, diagnose
from .narration import NarratedStep, narrate_update
from .race import Entrant, Race, default_entrants
from .snapshot import RunTrace, Snapshot, take_snapshot, trace_run
from .step_parts import UpdateParts, update_parts
from .timeline import Branch, Timeline
from .session_file import SessionError, load_session, save_session
from .trajectory import Event, Keyframe, Trajectory
from .training import PARAMETER_LIMIT, GradientDescent, TrainingDiverged, gradient_step
from .schedules import SCHEDULES, Constant, Cosine, Exponential, InverseTime, StepDecay, make_schedule
from .update_rules import RULES, SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop, UpdateRule, make_rule
from .exports import (chain_latex, derivation_latex, network_dict, network_from_dict, network_json, trajectory_csv,
                      trajectory_rows)
from .torch_export import pytorch_script

__all__ = [
    "ACTIVATIONS", "Activation", "sigmoid",
    "LOSSES", "ALL_LOSSES", "Loss", "accuracy",
    "Network", "Trace", "Backward", "ParameterRef", "lesson_network",
    "Chain", "Factor",
    "backward_recursion", "Recursion", "chain_paths", "ChainPaths", "ChainPath", "path_count", "path_nodes",
    "gradient_check", "GradientCheck", "GradientCheckRow", "finite_difference_gradient",
    "decision_field", "DecisionField", "neuron_fields", "NeuronFields", "neuron_curves", "NeuronCurves",
    "prediction_curve", "PredictionCurve", "confidence_and_class",
    "GradientDescent", "gradient_step", "TrainingDiverged", "PARAMETER_LIMIT", "History",
    "HIDDEN_ACTIVATIONS", "compatible_losses", "fit_network", "output_fits",
    "Run", "Timeline", "Branch", "Trajectory", "Keyframe", "Event", "Snapshot", "take_snapshot", "RunTrace", "trace_run", "Race", "Entrant", "default_entrants", "NarratedStep", "narrate_update", "Diagnosis", "diagnose", "UpdateRule", "SGD", "RULES", "make_rule",
    "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW",
    "SCHEDULES", "make_schedule", "Constant", "StepDecay", "Exponential", "Cosine", "InverseTime",
    "Dataset", "DATASETS", "DATASET_TITLES", "load_dataset",
    "DatasetInfo", "DATASET_INFO", "DATASET_TASKS", "DATASET_NOISE", "dataset_from_tabular",
    "add_point", "remove_point", "nearest_point", "output_for_task", "train_test_split",
    "cost_surface", "cost_slice", "contour_levels", "contour_lines", "ContourLine",
    "gradient_health", "GradientHealth", "HEALTHY_UPDATE_RATIO", "LayerHealth", "vanishing_gradient_example",
    "save_session", "load_session", "SessionError",
    "random_plane", "pca_plane", "plane_surface", "project_path", "costs_at", "Plane", "PathProjection",
    "update_parts", "UpdateParts",
    "chain_latex", "derivation_latex", "trajectory_rows", "trajectory_csv", "network_dict", "network_json",
    "network_from_dict", "pytorch_script",
]


# The Function lab's names live in core.formula, which imports sympy: they load on first use.
_FORMULA_NAMES = frozenset({
    "X", "FUNCTION_NAMES", "parse_formula", "FormulaError", "format_formula", "parse_with_order", "TermOrder",
    "derive", "Derivation", "Step", "DerivationError", "RULES",
    "decompose", "Decomposition", "Layer",
    "computation_graph", "Graph", "GraphValues", "Node",
    "compile_formula", "CompiledFormula", "sample_curve",
    "analyze_formula", "FormulaAnalysis", "SymbolicRunner", "FormulaTimeout",
})
# The CSV loader is only needed when the learner opens a file.
_TABULAR_NAMES = frozenset({
    "load_csv", "parse_csv", "split_dataset", "Table", "TabularDataset", "ColumnInfo", "Problem", "DataError",
    "MAX_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MAX_CLASSES", "MISSING_MARKERS",
})
__all__ += sorted(_FORMULA_NAMES) + sorted(_TABULAR_NAMES)


def __getattr__(name):
    # ``core.symbolic`` and ``core.formula`` (sympy) load on first access, so ``import core`` never
    # pays for sympy.
    import importlib

    if name in ("symbolic", "formula"):
        return importlib.import_module(f".{name}", __name__)
    if name in _FORMULA_NAMES:
        return getattr(importlib.import_module(".formula", __name__), name)
    if name in _TABULAR_NAMES:
        return getattr(importlib.import_module(".tabular", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
