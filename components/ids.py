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
UPLOAD = "upload"  # the drop zone (dcc.Upload)
UPLOAD_STAGED = "upload-staged"  # {"contents", "filename"} that passed the browser's size check
UPLOAD_LIMIT = "upload-limit"  # max bytes, for that check
UPLOAD_STATUS = "upload-status"  # the drop zone's message: what opened, or why the file was refused
DOWNLOAD_CSV = "download-csv"
DOWNLOAD_CSV_FILE = "download-csv-file"
NEUTRAL_INPUT = "neutral-input"
NEUTRAL_APPLY = "neutral-apply"
