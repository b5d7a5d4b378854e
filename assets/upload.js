// The drop zone's first check, in the browser: a file over the size limit is refused here, with
// the same message the server gives, instead of being sent (the server checks again). Every drop
// replaces the status line at once (a message about the previous file never stays under a new
// one) and hides the previous file's column-mapping step.
(function () {
  "use strict";

  // transfer.parsing.format_size: "812 bytes", "1.5 KB", "10 MB".
  function formatSize(n) {
    var units = ["bytes", "KB", "MB"], fixed = window.tmx.fixed;
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return i === 0 ? fixed(n, 0) + " bytes" : fixed(n, 1).replace(/\.0$/, "") + " " + units[i];
  }

  // `contents` and `filenames`: one file's, or lists of them (the drop zone takes a matrix and its
  // annotations file together). Staged as {files: [{contents, filename}, ...]}.
  function stageUpload(contents, filenames, maxBytes) {
    var noUpdate = window.dash_clientside.no_update;
    var all = Array.isArray(contents) ? contents : (contents ? [contents] : []);
    var names = Array.isArray(filenames) ? filenames : [filenames];
    if (!all.length) return [noUpdate, noUpdate, noUpdate, noUpdate];
    var files = [];
    for (var i = 0; i < all.length; i++) {
      var payload = all[i].length - all[i].indexOf(",") - 1;
      var size = Math.floor(payload * 3 / 4);
      if (size > maxBytes) {
        var text = names[i] + ": the file is " + formatSize(size) + "; the limit is " + formatSize(maxBytes);
        return [noUpdate, text, "small text-danger tmx-upload-status", true];
      }
      files.push({contents: all[i], filename: names[i]});
    }
    return [{files: files}, "Reading " + names.join(" and ") + "…", "small text-muted tmx-upload-status", true];
  }

  window.tmx = Object.assign(window.tmx || {}, {formatSize: formatSize});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {stage_upload: stageUpload}),
  });
})();
