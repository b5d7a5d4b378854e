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
SHARE_BUTTON = "share-button"
SHARE_POPOVER = "share-popover"
SHARE_LINK = "share-link"  # the read-only text field holding the canonical link
SHARE_STATUS = "share-status"
SHARE_JSON = "share-json"
SHARE_CLOSE = "share-close"
