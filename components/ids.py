"""Every component id, declared once. Callbacks and tests import these; no repeated literals."""

# The view state in the browser (assets/view.js owns it; components/state.py answers it):
VIEW = "view"  # the query of the view on screen (no '?'): canonical, or a request not yet answered
VIEW_REQUEST = "view-request"  # {"serial", "query", "before", "carry"}: the server resolves it (sync)
VIEW_ANSWER = "view-answer"  # {"serial", "query", "requested", "datasets"}: its canonical form
VIEW_OPEN = "view-open"  # {"query"}: a server callback opens another view (an upload, a stored copy)
CATALOGUE = "catalogue"  # [{label, value}] of the bundled datasets, for the browser-built dataset lists
REMEMBERED = "remembered"  # [{id, name}] datasets opened in this browser (localStorage)
REMEMBERED_LIST = "remembered-list"  # where the upload card lists them, each with a Forget button
FORGET = "forget"  # pattern-matching type: {"type": FORGET, "index": dataset id}, a Forget button
NOTICES = "notices"
DATASET = "dataset"
DATASET_INFO = "dataset-info"
HEATMAP = "heatmap"
# {"key", "matrix" (content hash), "cut", ...} of the drawn matrix; changes on rebuild only
HEATMAP_META = "heatmap-meta"
DOWNLOAD_PNG = "download-png"
DOWNLOAD_SVG = "download-svg"
TABS = "tabs"
# The tabs of TABS (components/registry.py): each one's tab_id, also the link's `tab` value
# (transfer.viewstate.TABS)
HEATMAP_TAB = "heatmap"
DENDROGRAM_TAB = "dendrogram"
MULTIPLES_TAB = "multiples"
# Insights, comparisons, small multiples
INSIGHTS = "insights"  # the insights list
INSIGHT_CELL = "insight-cell"  # pattern-matching type: {"type": INSIGHT_CELL, "index": n}, a chip that selects cells
INSIGHT_TARGETS = "insight-targets"  # Store: chip index -> {"row", "col"} it selects
COMPARE = "compare"
NORM = "norm"
MULTIPLES = "multiples"
MULTIPLE = "multiple"  # pattern-matching type: {"type": MULTIPLE, "index": dataset id}, a small multiple's graph
MULTIPLE_OPEN = "multiple-open"  # pattern-matching type: the "open" button of a small multiple
SHARE_BUTTON = "share-button"
SHARE_POPOVER = "share-popover"
SHARE_LINK = "share-link"  # the read-only text field holding the canonical link
SHARE_STATUS = "share-status"
SHARE_JSON = "share-json"
SHARE_CLOSE = "share-close"
UPLOAD = "upload"  # the drop zone (dcc.Upload)
UPLOAD_STAGED = "upload-staged"  # {"files": [{"contents", "filename"}, ...]} that passed the browser's size check
UPLOAD_LIMIT = "upload-limit"  # max bytes, for that check
UPLOAD_STATUS = "upload-status"  # the drop zone's message: what opened, or why the file was refused
UPLOAD_TOKEN = "upload-token"  # password field, shown when the deployer set TMX_UPLOAD_TOKEN
DOWNLOAD_CSV = "download-csv"
DOWNLOAD_CSV_FILE = "download-csv-file"
NEUTRAL_INPUT = "neutral-input"
NEUTRAL_APPLY = "neutral-apply"
# Clustering and the dendrogram tab
CLUSTER_ORDER = "cluster-order"
CLUSTER_METHOD = "cluster-method"
CLUSTER_DISTANCE = "cluster-distance"
CLUSTER_PROFILE = "cluster-profile"
CLUSTER_K = "cluster-k"
CLUSTER_K_FORM = "cluster-k-form"  # the k slider's form: Enter in its number box submits it
CLUSTER_SELECTED = "cluster-selected"  # dcc.Store: the ViewState `cluster`
CLUSTER_INFO = "cluster-info"
CLUSTER_MEMBERS = "cluster-members"
CLUSTER_ITEM = "cluster-item"  # pattern-matching type of a member-list entry: {"type", "index"}
DENDROGRAM = "dendrogram"
# Breakdown panels: one id per axis, "row" (train) and "col" (test).
ROW = "select-row"  # train dataset dropdown, bound to ViewState.row (same ids as main's stand-in)
COL = "select-col"  # test dataset dropdown, bound to ViewState.col
SELECT_OPTIONS = "select-options"  # every train/test label, for the dropdowns once the heatmap is drawn
BREAKDOWN_SORT = "breakdown-sort"
BREAKDOWN_ROW_BARS = "breakdown-row-bars"  # drawn by assets/breakdown.js
BREAKDOWN_COL_BARS = "breakdown-col-bars"
BREAKDOWN_ROW_STATS = "breakdown-row-stats"
BREAKDOWN_COL_STATS = "breakdown-col-stats"
# Thresholds. POS/NEG hold the effective value (a number, or None when switched off);
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
THRESHOLD_POS_INPUT = "threshold-pos-input"  # typed thresholds (text: parsed in assets/thresholds.js)
THRESHOLD_NEG_INPUT = "threshold-neg-input"
THRESHOLD_INPUT_STATUS = "threshold-input-status"  # what a typed value did (clamped, refused)
VIEW_SPEC = "view-spec"  # components.state.view_spec(): how the browser writes the canonical query
# CSV downloads of the displayed matrix (components/downloads.py): DOWNLOAD_CSV above is the
# means (wide); a matrix with replicates adds its replicates (long) or its std and n
DOWNLOAD_REPLICATES = "download-replicates"
DOWNLOAD_REPLICATES_FILE = "download-replicates-file"
# The drop zone's mapping step, shown for a table whose columns are ambiguous (components/upload.py)
UPLOAD_MAPPING = "upload-mapping"  # its container (hidden until needed)
UPLOAD_MAP_TRAIN = "upload-map-train"  # a dropdown of the header's columns for each role
UPLOAD_MAP_TEST = "upload-map-test"
UPLOAD_MAP_REPLICATE = "upload-map-replicate"
UPLOAD_MAP_VALUE = "upload-map-value"
UPLOAD_MAP_READ = "upload-map-read"  # "Read with these columns"
# Replicates and uncertainty (components/uncertainty.py, components/thresholds.py): the card shown
# only for a matrix with replicates, its controls of `ci`, `marks` and `unc`, and the thresholds'
# "significant only" select (`sig`, checked in the browser: assets/thresholds.js)
UNCERTAINTY_CARD = "uncertainty-card"
UNCERTAINTY_CI = "uncertainty-ci"
UNCERTAINTY_MARKS = "uncertainty-marks"
UNCERTAINTY_PALETTE = "uncertainty-palette"
UNCERTAINTY_INFO = "uncertainty-info"  # the test and correction in force
THRESHOLD_SIG = "threshold-sig"
THRESHOLD_SIG_ROW = "threshold-sig-row"  # its label and select, hidden without replicates
# Task annotations (components/annotations.py, assets/annotations.js): the "Tasks" card. The
# bound controls hold the link's own text of their field (components/state.py); the visible
# selects of where, tracks and group are kept in step with the view by assets/annotations.js.
ANN = "ann"  # dcc.Store: the ViewState `ann` (an uploaded annotations id; None: the dataset's own)
ANN_INFO = "ann-info"  # dcc.Store: the view's annotations' fields and each field's values (or None)
ANN_STATUS = "ann-status"  # which annotations are in use, and what the filters leave
ANN_FILTER = "ann-filter"  # the search box, bound to `filter`
ANN_FILTER_CLEAR = "ann-filter-clear"  # its clear button
ANN_WHERE = "ann-where"  # dcc.Store: `where` as the link writes it (field:value|value)
ANN_WHERE_FIELD = "ann-where-field"  # the field whose values ANN_WHERE_VALUES lists
ANN_WHERE_VALUES = "ann-where-values"  # the kept values (multi-select)
ANN_TRACK = "ann-track"  # dcc.Store: `track` as the link writes it (a,b or none)
ANN_TRACK_FIELDS = "ann-track-fields"  # the fields drawn as tracks (multi-select, up to 3)
ANN_GROUP = "ann-group"  # dcc.Store: `group`
ANN_GROUP_BY = "ann-group-by"  # "Group by": sets `group` and order=group
ANN_COLLAPSE = "ann-collapse"  # "Collapse by", bound to `collapse`
# Colour that fits the data (components/thresholds.py "Colours" control; transfer/palettes.py)
PALETTE = "palette"  # the "Colours" select, bound to `palette` (options: the palettes of the matrix's kind)
PALETTE_ROW = "palette-row"
# --- colour ids (append here) ---
# The table view (`tab=table`, components/table.py)
TABLE_TAB = "table"  # its tab_id, the link's `tab` value
# --- table ids (append here) ---
TABLE = "table-view"  # the table's container: caption, legend, pagers and the html.Table (components/table.py)
TABLE_SPEC = "table-spec"  # dcc.Store: which fields of the view the table shows, for assets/table.js
TABLE_QUERY = "table-query"  # dcc.Store: those fields of the view on screen (assets/table.js): the table's input
TABLE_SORT = "table-sort"  # dcc.Store bound to `tsort` (the link's own text: desc:label)
TABLE_ROW_PAGE = "table-row-page"  # dcc.Store bound to `trpage`
TABLE_COL_PAGE = "table-col-page"  # dcc.Store bound to `tcpage`
TABLE_STATUS = "table-status"  # "Rows 1–50 of 1000, columns 1–20 of 1000", a polite live region
TABLE_LEGEND = "table-legend"  # what the marks mean
# Keyboard and screen readers (assets/keyboard.js): the heatmap's one tab stop, wrapping the graph,
# and the polite live region that reads the focused cell
HEATMAP_KEYS = "heatmap-keys"
HEATMAP_LIVE = "heatmap-live"
# --- keyboard ids (append here) ---
# Layouts for each screen (components/page.py): collapsible control sections on small screens
# --- layout ids (append here) ---
# --- load ids (append here) ---
INSIGHTS_DUE = "insights-due"  # dcc.Store: set once the heatmap is drawn and the page idle (assets/tmx.js)
