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
# Clustering (issue 5)
CLUSTER_ORDER = "cluster-order"
CLUSTER_METHOD = "cluster-method"
CLUSTER_METRIC = "cluster-metric"
CLUSTER_PROFILE = "cluster-profile"
CLUSTER_K = "cluster-k"
CLUSTER_SELECTED = "cluster-selected"  # dcc.Store: the ViewState `cluster`
CLUSTER_INFO = "cluster-info"
CLUSTER_MEMBERS = "cluster-members"
CLUSTER_ITEM = "cluster-item"  # pattern-matching type of a member-list entry: {"type", "index"}
DENDROGRAM = "dendrogram"
