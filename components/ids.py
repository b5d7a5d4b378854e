"""Every component id, declared once. Callbacks and tests import these; no repeated literals."""

URL = "url"
NOTICES = "notices"
DATASET = "dataset"
DATASET_INFO = "dataset-info"
HEATMAP = "heatmap"
HEATMAP_META = "heatmap-meta"  # {"key", "rows", "cols", ...} of the drawn matrix; changes on rebuild only
DOWNLOAD_PNG = "download-png"
DOWNLOAD_SVG = "download-svg"
TABS = "tabs"
# Breakdown panels (issue 3): one id per axis, "row" (train) and "col" (test).
ROW = "select-row"  # train dataset dropdown, bound to ViewState.row (same ids as main's stand-in)
COL = "select-col"  # test dataset dropdown, bound to ViewState.col
BREAKDOWN_SORT = "breakdown-sort"
BREAKDOWN_ROW_GRAPH = "breakdown-row-graph"
BREAKDOWN_COL_GRAPH = "breakdown-col-graph"
BREAKDOWN_ROW_STATS = "breakdown-row-stats"
BREAKDOWN_COL_STATS = "breakdown-col-stats"
