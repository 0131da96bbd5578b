"""Opening the learner's own CSV file: a loader that reads it off the GUI thread with progress
(`loader.CsvLoader`), the import dialog that picks features, target and options
(`dialog.ImportDialog`), and the window's opener tying them to the session model
(`importer.CsvImporter`, got with `importer_for(window)`)."""
from .dialog import ImportChoice, ImportDialog
from .importer import CSV_SUFFIXES, CsvImporter, csv_paths, importer_for
from .loader import CsvLoader

__all__ = ["CSV_SUFFIXES", "CsvImporter", "CsvLoader", "ImportChoice", "ImportDialog", "csv_paths",
           "importer_for"]
