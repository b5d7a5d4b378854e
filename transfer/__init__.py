"""Transfer Matrix Explorer's core: model, parsing, view state, computations and figures.

Nothing in this package imports Dash; every module is testable with plain pytest.
"""

from .matrix import MatrixError, TransferMatrix

__all__ = ["MatrixError", "TransferMatrix"]
