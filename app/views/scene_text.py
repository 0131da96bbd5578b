"""Text labels on a QGraphicsScene, created once and re-centred on a point as their text changes
(the network diagram and the computation graph both label nodes and edges this way)."""
from PySide6.QtCore import QPointF
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem

TEXT = QColor("#1d2433")


def add_text(scene: QGraphicsScene, size: int = 12, bold: bool = False, color: QColor = TEXT,
             z: float = 3) -> QGraphicsSimpleTextItem:
    item = QGraphicsSimpleTextItem()
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    item.setFont(font)
    item.setBrush(QBrush(color))
    item.setZValue(z)
    scene.addItem(item)
    return item


def place_centered(item: QGraphicsSimpleTextItem, text: str, center: QPointF) -> None:
    item.setText(text)
    rect = item.boundingRect()
    item.setPos(center.x() - rect.width() / 2, center.y() - rect.height() / 2)
