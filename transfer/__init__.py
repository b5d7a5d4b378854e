"""Transfer Matrix Explorer's core: model, parsing, view state, computations and figures.

Nothing in this package imports Dash, or anything of the project outside it; every module is
testable with plain pytest. The app on top of it: `web` (the shell) and `components` (the panels);
a notebook opens a DataFrame in it with `from app import explore`.
"""

from .matrix import MatrixError, TransferMatrix
from .parsing import Limits, TooLarge, matrix_from_frame, parse_matrix

__all__ = ["Limits", "MatrixError", "TooLarge", "TransferMatrix", "matrix_from_frame", "parse_matrix"]
