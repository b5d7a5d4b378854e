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
# Thresholds (issue 4). POS/NEG hold the effective value (a number, or None when switched off);
# the switches and sliders are kept in step with them in the browser (assets/thresholds.js).
THRESHOLD_POS = "threshold-pos"
THRESHOLD_NEG = "threshold-neg"
THRESHOLD_POS_ON = "threshold-pos-on"
THRESHOLD_NEG_ON = "threshold-neg-on"
THRESHOLD_POS_SLIDER = "threshold-pos-slider"
THRESHOLD_NEG_SLIDER = "threshold-neg-slider"
THRESHOLD_DIAG = "threshold-diag"
THRESHOLD_SCALE = "threshold-scale"  # transfer.thresholds.ThresholdScale of the shown matrix
THRESHOLD_NEUTRAL = "threshold-neutral"
THRESHOLD_COUNTS = "threshold-counts"
THRESHOLD_SELECTION_COUNTS = "threshold-selection-counts"
QUERY_KEYS = "query-keys"  # ViewState field names in canonical query order, for links written in the browser
