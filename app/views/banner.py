"""The message banner: a note that must not be missed, floating over the top of the labs.

It lies over the window's central area instead of taking a row of the layout: a row that appears
and disappears shrank the labs' docks while it showed, and QMainWindow does not give docks their old
sizes back when the room returns (they stayed resized after the message went). Floating, it moves
nothing; it covers a strip of the panels' tops only while there is something to say.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

MARGIN = 10          # from the host's edges
TOP = 26             # below the labs' tab bar, so the tabs stay readable
MAX_WIDTH = 980      # a long message wraps into lines a reader can follow


class MessageBanner(QFrame):
    """A framed, word-wrapped label kept over the top of ``host`` (the window's central widget).

    ``label`` holds the text; ``show_message("")`` hides the banner."""

    def __init__(self, host: QWidget, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("message-banner")
        self.setAccessibleName("Message")
        self._host = host
        self.label = QLabel(self)
        self.label.setObjectName("banner")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.setStyleSheet("#message-banner { background: #fdecea; border: 1px solid #e8a9a6; border-radius: 5px; }"
                           " QLabel { color: #8a1c1c; padding: 6px 10px; font-weight: 600; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self._follower = _Follower(self)
        host.installEventFilter(self._follower)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(bool(text))
        if text:
            self.place()
            self.raise_()

    def place(self) -> None:
        """Over the top of the host, centred, as tall as the wrapped text needs."""
        host = self._host
        origin = host.mapTo(self.parentWidget(), host.rect().topLeft())
        width = min(MAX_WIDTH, max(200, host.width() - 2 * MARGIN))
        height = self.label.heightForWidth(width) if self.label.hasHeightForWidth() else self.label.sizeHint().height()
        self.setGeometry(origin.x() + (host.width() - width) // 2, origin.y() + TOP, width, max(height, 30) + 2)


class _Follower(QObject):
    """Keeps the banner over its host when the host moves or resizes."""

    def __init__(self, banner: MessageBanner):
        super().__init__(banner)
        self._banner = banner

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move) and self._banner.isVisible():
            self._banner.place()
        return False
