"""Chain Rule Studio's Qt application layer (PySide6 + pyqtgraph)."""
