"""Transfer Matrix Explorer's core: model, parsing, view state, computations and figures.

Nothing in this package imports Dash; every module is testable with plain pytest.
"""

from .matrix import MatrixError, TransferMatrix

from .parsing import Limits, TooLarge, matrix_from_frame, parse_matrix

__all__ = ["Limits", "MatrixError", "TooLarge", "TransferMatrix", "explore", "matrix_from_frame", "parse_matrix"]


def explore(frame, **options):
    """Show a DataFrame (wide, or long with train/test/value) in the app inline in Jupyter.

    See `app.explore` for the options. The app (and Dash) is imported only when this is called,
    so the core package stays free of Dash.
    """
    from app import explore as explore_in_app

    return explore_in_app(frame, **options)
