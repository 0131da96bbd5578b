"""Guards against a Qt binding that corrupts reference counts (PySide6 6.12.0 on CPython 3.11 drops a
reference to None on every void call, which crashes a long-running window with "none_dealloc")."""
import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_do_not_leak_references_to_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
        label.setVisible(False)
    assert abs(sys.getrefcount(None) - before) < 100
