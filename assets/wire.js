// The heatmap's cells as transfer/wire.py packs them (one unsigned integer a cell, scaled
// integers or float32 bits, written as base-64 digit planes: see its docstring), decoded back into
// the float32 array plotly.py's encoding would have carried, bit for bit. `decode(z)` does it in
// place, once: the packed object gains `bdata` (an ArrayBuffer of float32, which plotly.js reads
// as a typed-array spec {dtype: "f4", bdata, shape}) and drops its packed text.
// plotly_workarounds.js decodes every trace's packed z before plotly draws; tmx.cellValues decodes
// one that a callback reads first.
(function () {
  "use strict";

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";  // base64's
  var DIGITS = new Uint8Array(256).fill(255);
  for (var d = 0; d < 64; d++) DIGITS[ALPHABET.charCodeAt(d)] = d;
  var POWERS = [1, 10, 100, 1000, 10000, 100000, 1000000];  // 10 ** decimals, exact (wire.MAX_DECIMALS)
  var MAX_BITS = 48;  // wire.MAX_BITS: every value an exact integer in a double
  var TABLE_BITS = 16;  // integers of up to 16 bits decoded through a table of their 65536 values

  function base64Bytes(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);  // native: 4 MB in ~5 ms, a quarter of the loop's time
    var chars = atob(text), bytes = new Uint8Array(chars.length);
    for (var b = 0; b < chars.length; b++) bytes[b] = chars.charCodeAt(b);  // 20x faster than Uint8Array.from(chars, fn)
    return bytes;
  }

  function isPacked(z) {
    return !!z && typeof z === "object" && z.tmx !== undefined && (z.packed !== undefined || z.bdata !== undefined);
  }

  // The `count` integers of `bits` bits in `text`: digit planes, most significant first, 6 bits a
  // digit and the first one the bits left (wire.widths).
  function fromPlanes(text, bits, count) {
    if (!(bits >= 1 && bits <= MAX_BITS)) throw new Error("tmx: packed cells of " + bits + " bits");
    var planes = Math.ceil(bits / 6), chars = new TextEncoder().encode(text);
    if (chars.length !== planes * count) throw new Error("tmx: " + chars.length + " packed digits for " + count + " cells");
    var values = planeValues(chars, planes, count, bits > 32 ? Float64Array : Uint32Array);
    if (values.bad & 64) throw new Error("tmx: packed cells hold a character that is not base64");
    return values.values;
  }

  // One value at a time across the planes (one write a value), in a Uint32Array up to 32 bits, a
  // Float64Array above (exact below 2 ** 53); `bad` collects the digits' bits: 255 (not a base64
  // character) sets bit 6.
  function planeValues(chars, planes, count, Values) {
    var values = new Values(count), bad = 0;
    for (var i = 0; i < count; i++) {
      var u = 0;
      for (var at = i; at < planes * count; at += count) {
        var digit = DIGITS[chars[at]];
        bad |= digit;
        u = u * 64 + digit;
      }
      values[i] = u;
    }
    return {values: values, bad: bad};
  }

  // float32 bits: a character a value, an index into `heads` (sign and exponent), then the
  // mantissas' 23 bits as 4 digit planes, read plane by plane side by side (a quarter faster than
  // gathering each value across the planes).
  function floatBits(heads, text, count) {
    if (text.length !== 5 * count) throw new Error("tmx: " + text.length + " packed digits for " + count + " cells");
    var chars = new TextEncoder().encode(text), top = new Uint32Array(64), bits = new Uint32Array(count), bad = 0, i;
    for (var h = 0; h < heads.length && h < 64; h++) top[h] = heads[h] * 8388608;  // << 23, unsigned
    var p0 = count, p1 = 2 * count, p2 = 3 * count, p3 = 4 * count;
    for (i = 0; i < count; i++) {
      var head = DIGITS[chars[i]], a = DIGITS[chars[p0 + i]], b = DIGITS[chars[p1 + i]];
      var c = DIGITS[chars[p2 + i]], d = DIGITS[chars[p3 + i]];
      bad |= head | (head >= heads.length ? 64 : 0) | a | b | c | d;
      bits[i] = top[head & 63] | (a << 18) | (b << 12) | (c << 6) | d;
    }
    if (bad & 64) throw new Error("tmx: packed cells hold a character that is not base64");
    return new Float32Array(bits.buffer);
  }

  // The float32 cells (row-major) of packed `text` of `count` cells, `about` = z.tmx.
  function cells(about, text, count) {
    if (about.float && about.heads) return floatBits(about.heads, text, count);
    if (about.float) return new Float32Array(fromPlanes(text, about.bits, count).buffer);
    var scale = POWERS[about.decimals];
    if (scale === undefined) throw new Error("tmx: packed cells with " + about.decimals + " decimals");
    // a double (u + offset) / 10 ** decimals, rounded to float32 as it is stored: wire.py's arithmetic
    function value(u) {
      return u === about.nan ? NaN : u === about.negzero ? -0 : (u + about.offset) / scale;
    }
    var stored = fromPlanes(text, about.bits, count), out = new Float32Array(count), i;
    if (about.bits <= TABLE_BITS) {  // every value of so few bits computed once
      var table = new Float32Array(1 << about.bits);
      for (i = 0; i < table.length; i++) table[i] = value(i);
      for (i = 0; i < count; i++) out[i] = table[stored[i]];
    } else {
      for (i = 0; i < count; i++) out[i] = value(stored[i]);
    }
    return out;
  }

  // A packed z decoded in place (and returned); anything else returned as it is.
  function decode(z) {
    if (!isPacked(z) || z.bdata !== undefined) return z;
    var count = String(z.shape).split(",").reduce(function (n, part) { return n * Number(part); }, 1);
    z.bdata = cells(z.tmx, z.packed, count).buffer;
    z.dtype = "f4";
    delete z.packed;
    return z;
  }

  // Every packed z of a figure's traces, in place.
  function decodeTraces(traces) {
    (traces || []).forEach(function (trace) { if (trace) decode(trace.z); });
  }

  window.tmx = Object.assign(window.tmx || {}, {
    wire: {decode: decode, decodeTraces: decodeTraces, isPacked: isPacked, base64Bytes: base64Bytes},
  });
})();
