"""The race dialog: which optimizers race, each with its learning rate and main hyper-parameter.

Keyboard first: Tab moves between fields, Space ticks an optimizer, Enter starts the race, Escape
cancels. The defaults suit the data (core.race.default_entrants): plain descent at the learner's η,
momentum at η/10, the adaptive rules at small fixed rates.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QGridLayout, QLabel,
                               QVBoxLayout)

import core

# The hyper-parameter each rule shows (torch.optim's name, label, minimum, maximum, step)
MAIN_HYPER = {
    "momentum": ("momentum", "μ", 0.0, 0.999, 0.05),
    "nesterov": ("momentum", "μ", 0.0, 0.999, 0.05),
    "rmsprop": ("alpha", "α", 0.0, 0.9999, 0.01),
    "adam": ("beta1", "β₁", 0.0, 0.999, 0.05),
    "adamw": ("weight_decay", "weight decay", 0.0, 1.0, 0.01),
}
CHECKED = ("sgd", "momentum", "adam")


class RaceDialog(QDialog):
    def __init__(self, learning_rate: float, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Race optimizers")
        self.setObjectName("race-dialog")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Pick the optimizers to race from the shown parameters, each with its own "
                                "learning rate. All start from the same point on the same data."))
        grid = QGridLayout()
        layout.addLayout(grid)
        self.boxes, self.rates, self.hypers = {}, {}, {}
        self.bias_correction = QCheckBox("bias correction")
        self.bias_correction.setChecked(True)
        self.bias_correction.setToolTip("Adam's correction of its zero-started averages: switch it off to see "
                                        "why it exists")
        defaults = {e.optimizer: e.learning_rate for e in core.default_entrants(learning_rate, tuple(core.RULES))}
        for row, (name, rule) in enumerate(core.RULES.items()):
            box = QCheckBox(rule.title)
            box.setChecked(name in CHECKED)
            rate = QDoubleSpinBox()
            rate.setDecimals(5)
            rate.setRange(1e-5, 100.0)
            rate.setValue(defaults[name])
            rate.setPrefix("η ")
            rate.setAccessibleName(f"{rule.title} learning rate")
            grid.addWidget(box, row, 0)
            grid.addWidget(rate, row, 1)
            self.boxes[name], self.rates[name] = box, rate
            if name in MAIN_HYPER:
                key, label, low, high, step = MAIN_HYPER[name]
                spin = QDoubleSpinBox()
                spin.setDecimals(4)
                spin.setRange(low, high)
                spin.setSingleStep(step)
                default = rule()
                spin.setValue(default.betas[0] if key == "beta1" else getattr(default, key))
                spin.setPrefix(f"{label} ")
                spin.setAccessibleName(f"{rule.title} {label}")
                grid.addWidget(spin, row, 2)
                self.hypers[name] = (key, spin)
            if name == "adam":
                grid.addWidget(self.bias_correction, row, 3)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Start the race")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.boxes["sgd"].setFocus()

    def entrants(self) -> list[core.Entrant]:
        """The ticked optimizers as race entrants (raises ValueError for a bad combination)."""
        chosen = []
        for name, box in self.boxes.items():
            if not box.isChecked():
                continue
            hyper = {}
            if name in self.hypers:
                key, spin = self.hypers[name]
                if key == "beta1":
                    hyper["betas"] = (spin.value(), core.Adam().betas[1])
                else:
                    hyper[key] = spin.value()
            if name == "adam" and not self.bias_correction.isChecked():
                hyper["bias_correction"] = False
            chosen.append(core.Entrant(name, self.rates[name].value(), tuple(sorted(hyper.items()))))
        return chosen
