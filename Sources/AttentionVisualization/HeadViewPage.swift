/// The fixed parts of ``AttentionView``'s page: style, markup of the three views, and the script that draws them
/// from the inline data (`#attention-data`). Plain ES5 and canvas 2D, so any browser of the last decade runs it.
enum AttentionViewPage {
    static let css = """
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 1.5em 2em; color: #1d1d1f; background: #ffffff; }
    h1 { font-size: 1.35em; margin: 0.6em 0 0.2em; }
    .note, .help { color: #444444; font-size: 0.92em; margin: 0.3em 0 0.6em; max-width: 70em; }
    nav { display: flex; gap: 0.4em; border-bottom: 1px solid #cccccc; margin-bottom: 0.8em; }
    nav button { font: inherit; padding: 0.45em 1em; border: 1px solid #cccccc; border-bottom: none; background: #f2f2f2;
      border-radius: 6px 6px 0 0; cursor: pointer; }
    nav button[aria-selected="true"] { background: #ffffff; font-weight: 600; position: relative; top: 1px; }
    button:focus-visible, select:focus-visible { outline: 3px solid #1a73e8; outline-offset: 1px; }
    [hidden] { display: none !important; }
    .controls { display: flex; gap: 1.2em; align-items: center; flex-wrap: wrap; margin-bottom: 0.4em; }
    select { font: inherit; padding: 0.2em 0.4em; }
    .status { color: #333333; font-variant-numeric: tabular-nums; min-height: 1.3em; }
    .headview { display: flex; align-items: flex-start; justify-content: center; gap: 0; }
    .col { display: flex; flex-direction: column; min-width: 9em; }
    .col.left { align-items: flex-end; }
    .col.right { align-items: flex-start; }
    .tok { font: 14px/20px ui-monospace, "DejaVu Sans Mono", Menlo, monospace; height: 22px; box-sizing: border-box; padding: 0 0.45em;
      border: 1px solid transparent; border-radius: 3px; background: transparent; cursor: pointer; color: #1d1d1f; white-space: nowrap; }
    .tok.b { color: #8a3b00; }
    .tok:hover, .tok.active { border-color: #555555; }
    .legend { display: flex; gap: 0.6em; flex-wrap: wrap; justify-content: center; margin: 0.6em 0; font-size: 0.85em; }
    .legend span { display: inline-flex; align-items: center; gap: 0.25em; }
    .legend i { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; }
    .grid { display: grid; gap: 4px; align-items: center; justify-items: center; }
    .grid .lab { font-size: 0.8em; color: #444444; white-space: nowrap; }
    .cell { padding: 0; border: 2px solid transparent; background: none; cursor: pointer; line-height: 0; }
    .cell:hover { border-color: #1a73e8; }
    .cell canvas { width: 78px; height: 78px; image-rendering: pixelated; image-rendering: crisp-edges; }
    .colorbar { display: flex; align-items: center; gap: 0.5em; font-size: 0.85em; margin: 0.5em 0; }
    """

    static let sections = """
    <section id="view-head" role="tabpanel" aria-labelledby="tab-head">
    <div class="controls">
    <label>Layer <select id="layer"></select></label>
    <label>Head <select id="head-select"></select></label>
    <span id="head-status" class="status" aria-live="polite"></span>
    </div>
    <p class="help">Queries on the left, keys on the right; a line's opacity is the weight. Hover a token, or move to it \
    with Tab, to see only its lines. Layer 1 is the closest to the input.</p>
    <div id="legend" class="legend"></div>
    <div class="headview"><div id="left" class="col left"></div><canvas id="lines" aria-hidden="true"></canvas><div id="right" class="col right"></div></div>
    </section>
    <section id="view-model" role="tabpanel" aria-labelledby="tab-model" hidden>
    <p class="help">Every layer (rows, 1 = closest to the input) and head (columns). In each square the queries run \
    down and the keys across; colour from dark (0) to light (that head's largest weight, in its tooltip). Activate a \
    square to open it in the head view.</p>
    <div id="grid" class="grid"></div>
    </section>
    <section id="view-rollout" role="tabpanel" aria-labelledby="tab-rollout" hidden>
    <div class="controls">
    <label>Rollout through layer <select id="rollout-layer"></select></label>
    <label><input type="checkbox" id="rollout-scale" checked> Colour scale without the [CLS] and [SEP] columns (they \
    dominate; larger values show at the top colour)</label>
    <span id="rollout-status" class="status" aria-live="polite"></span>
    </div>
    <p class="help">Attention rollout (Abnar &amp; Zuidema, 2020): each layer's heads averaged, the residual connection \
    added as 0.5·A + 0.5·I, rows renormalised, then multiplied through the layers. A row shows how much each input \
    token (columns) reaches that position (rows) after the chosen layer. Hover a cell for its value.</p>
    <div class="colorbar"><span>0</span><canvas id="rollout-bar" width="200" height="12" aria-hidden="true"></canvas><span id="rollout-max"></span></div>
    <canvas id="rollout-canvas"></canvas>
    </section>
    """

    static let script = """
    (function () {
      "use strict";
      var D = JSON.parse(document.getElementById("attention-data").textContent);
      var T = D.tokens, N = T.length, A = D.attentions, LAYERS = A.length, HEADS = A[0].length, ROW = 22;
      var COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                    "#bcbd22", "#17becf", "#3949ab", "#00897b", "#c0ca33", "#6d4c41", "#d81b60", "#546e7a"];
      function $(id) { return document.getElementById(id); }
      function headColor(h) { return COLORS[h % COLORS.length]; }
      function option(select, value, text) { var o = document.createElement("option"); o.value = value; o.textContent = text; select.appendChild(o); }
      function fixed(x) { return x.toFixed(3); }
      function rgb(hex) { return [parseInt(hex.substr(1, 2), 16), parseInt(hex.substr(3, 2), 16), parseInt(hex.substr(5, 2), 16)]; }
      var PALETTE = D.palette.map(rgb);
      function shade(t) { return PALETTE[Math.max(0, Math.min(PALETTE.length - 1, Math.round(t * (PALETTE.length - 1))))]; }
      function sizeCanvas(c, w, h) {
        var r = window.devicePixelRatio || 1;
        c.width = Math.round(w * r); c.height = Math.round(h * r); c.style.width = w + "px"; c.style.height = h + "px";
        var ctx = c.getContext("2d"); ctx.setTransform(r, 0, 0, r, 0, 0); return ctx;
      }

      // Tabs: the URL fragment names the view (#head, #model, #rollout).
      var VIEWS = ["head", "model", "rollout"];
      function show(name) {
        if (VIEWS.indexOf(name) < 0) { name = "head"; }
        VIEWS.forEach(function (v) { $("view-" + v).hidden = v !== name; $("tab-" + v).setAttribute("aria-selected", String(v === name)); });
        if (name === "head") { drawLines(); } else if (name === "model") { buildGrid(); } else { drawRollout(); }
      }
      VIEWS.forEach(function (v) {
        $("tab-" + v).addEventListener("click", function () { history.replaceState(null, "", "#" + v); show(v); });
      });

      // Head view.
      var layerSelect = $("layer"), headSelect = $("head-select"), canvas = $("lines"), W = 280;
      for (var l = 0; l < LAYERS; l++) { option(layerSelect, l, "Layer " + (l + 1)); }
      option(headSelect, -1, "All heads");
      for (var h = 0; h < HEADS; h++) { option(headSelect, h, "Head " + (h + 1)); }
      layerSelect.value = String(LAYERS - 1);
      var focus = null;   // {side: "left" | "right", index}
      function column(id, side) {
        var box = $(id), buttons = [];
        T.forEach(function (t, i) {
          var b = document.createElement("button");
          b.className = "tok" + (D.types.length && D.types[i] === 1 ? " b" : "");
          b.textContent = t;
          b.setAttribute("aria-label", (side === "left" ? "query " : "key ") + (i + 1) + ": " + t);
          function on() { focus = {side: side, index: i}; drawLines(); }
          function off() { if (focus && focus.side === side && focus.index === i) { focus = null; drawLines(); } }
          b.addEventListener("mouseenter", on); b.addEventListener("focus", on);
          b.addEventListener("mouseleave", off); b.addEventListener("blur", off);
          box.appendChild(b); buttons.push(b);
        });
        return buttons;
      }
      var leftTokens = column("left", "left"), rightTokens = column("right", "right");
      function heads() { var h = Number(headSelect.value); if (h >= 0) { return [h]; } var all = []; for (var k = 0; k < HEADS; k++) { all.push(k); } return all; }
      function legend() {
        var box = $("legend"); box.textContent = "";
        heads().forEach(function (h) {
          var s = document.createElement("span"), i = document.createElement("i");
          i.style.background = headColor(h); s.appendChild(i); s.appendChild(document.createTextNode("head " + (h + 1))); box.appendChild(s);
        });
      }
      function drawLines() {
        var ctx = sizeCanvas(canvas, W, N * ROW), layer = A[Number(layerSelect.value)], hs = heads();
        ctx.clearRect(0, 0, W, N * ROW); ctx.lineWidth = 2; legend();
        var mean = null;
        if (focus) { mean = []; for (var j = 0; j < N; j++) { mean.push(0); } }
        hs.forEach(function (h) {
          var m = layer[h]; ctx.strokeStyle = headColor(h);
          for (var q = 0; q < N; q++) {
            if (focus && focus.side === "left" && focus.index !== q) { continue; }
            for (var k = 0; k < N; k++) {
              if (focus && focus.side === "right" && focus.index !== k) { continue; }
              var w = m[q][k];
              if (mean) { mean[focus.side === "left" ? k : q] += w / hs.length; }
              if (w < 0.01) { continue; }
              ctx.globalAlpha = Math.min(1, w); ctx.beginPath();
              ctx.moveTo(0, (q + 0.5) * ROW); ctx.lineTo(W, (k + 0.5) * ROW); ctx.stroke();
            }
          }
        });
        ctx.globalAlpha = 1;
        var other = focus && focus.side === "left" ? rightTokens : leftTokens;
        leftTokens.concat(rightTokens).forEach(function (b) { b.style.background = ""; b.classList.remove("active"); });
        if (focus) {
          (focus.side === "left" ? leftTokens : rightTokens)[focus.index].classList.add("active");
          other.forEach(function (b, i) { b.style.background = "rgba(26, 115, 232, " + Math.min(1, mean[i]).toFixed(3) + ")"; });
          var best = 0; for (var i = 1; i < N; i++) { if (mean[i] > mean[best]) { best = i; } }
          $("head-status").textContent = (focus.side === "left" ? "“" + T[focus.index] + "” attends most to “" + T[best] + "”"
            : "“" + T[focus.index] + "” is attended most by “" + T[best] + "”") + " (" + fixed(mean[best]) + (hs.length > 1 ? ", mean of the heads)" : ")");
        } else {
          $("head-status").textContent = "Layer " + (Number(layerSelect.value) + 1) + ", " + (hs.length > 1 ? "all " + HEADS + " heads" : "head " + (hs[0] + 1));
        }
      }
      layerSelect.addEventListener("change", drawLines); headSelect.addEventListener("change", drawLines);

      // Model view: one small heatmap per layer and head, built on first show.
      var built = false;
      function heatmap(c, m, n, top) {
        c.width = n; c.height = n;
        var ctx = c.getContext("2d"), img = ctx.createImageData(n, n);
        for (var q = 0; q < n; q++) { for (var k = 0; k < n; k++) {
          var p = shade(top > 0 ? m[q][k] / top : 0), o = (q * n + k) * 4;
          img.data[o] = p[0]; img.data[o + 1] = p[1]; img.data[o + 2] = p[2]; img.data[o + 3] = 255;
        } }
        ctx.putImageData(img, 0, 0);
      }
      function buildGrid() {
        if (built) { return; }
        built = true;
        var grid = $("grid");
        grid.style.gridTemplateColumns = "auto repeat(" + HEADS + ", auto)";
        grid.appendChild(document.createElement("span"));
        for (var h = 0; h < HEADS; h++) { var s = document.createElement("span"); s.className = "lab"; s.textContent = "Head " + (h + 1); grid.appendChild(s); }
        A.forEach(function (layer, l) {
          var lab = document.createElement("span"); lab.className = "lab"; lab.textContent = "Layer " + (l + 1); grid.appendChild(lab);
          layer.forEach(function (m, h) {
            var b = document.createElement("button"), c = document.createElement("canvas");
            var top = 0; m.forEach(function (row) { row.forEach(function (v) { top = Math.max(top, v); }); });
            b.className = "cell"; b.title = "Layer " + (l + 1) + ", head " + (h + 1) + ": largest weight " + fixed(top);
            b.setAttribute("aria-label", "Open layer " + (l + 1) + ", head " + (h + 1) + " in the head view");
            heatmap(c, m, N, top); b.appendChild(c); grid.appendChild(b);
            b.addEventListener("click", function () {
              layerSelect.value = String(l); headSelect.value = String(h); focus = null;
              history.replaceState(null, "", "#head"); show("head"); layerSelect.focus();
            });
          });
        });
      }

      // Rollout.
      var rolloutSelect = $("rollout-layer"), rc = $("rollout-canvas");
      for (var r = 0; r < D.rollout.length; r++) { option(rolloutSelect, r, "Layer " + (r + 1)); }
      rolloutSelect.value = String(D.rollout.length - 1);
      var geometry = null;
      function drawRollout() {
        var m = D.rollout[Number(rolloutSelect.value)]; if (!m) { return; }
        // Cells fill about 600 px; labels stay readable (at least 9 px), shown for every token or every few.
        var cell = Math.max(1, Math.min(28, Math.floor(600 / N))), font = Math.max(9, Math.min(12, cell - 1)),
            every = Math.max(1, Math.ceil((font + 1) / cell));
        var measure = rc.getContext("2d"); measure.font = font + "px ui-monospace, monospace";
        var margin = 8; T.forEach(function (t) { margin = Math.max(margin, Math.min(130, measure.measureText(t).width + 8)); });
        margin = Math.ceil(margin);   // whole pixels: no seams between cells
        var size = N * cell, ctx = sizeCanvas(rc, margin + size + 4, margin + size + 4);
        var skip = $("rollout-scale").checked, top = 0;
        m.forEach(function (row) { row.forEach(function (v, k) { if (!(skip && (T[k] === "[CLS]" || T[k] === "[SEP]"))) { top = Math.max(top, v); } }); });
        if (top === 0) { m.forEach(function (row) { row.forEach(function (v) { top = Math.max(top, v); }); }); }
        for (var q = 0; q < N; q++) { for (var k = 0; k < N; k++) {
          var p = shade(top > 0 ? Math.min(1, m[q][k] / top) : 0); ctx.fillStyle = "rgb(" + p[0] + "," + p[1] + "," + p[2] + ")";
          ctx.fillRect(margin + k * cell, margin + q * cell, cell, cell);
        } }
        ctx.fillStyle = "#1d1d1f"; ctx.font = font + "px ui-monospace, 'DejaVu Sans Mono', monospace";
        ctx.textAlign = "right"; ctx.textBaseline = "middle";
        for (var i = 0; i < N; i += every) {
          ctx.fillText(T[i], margin - 4, margin + (i + 0.5) * cell);
          ctx.save(); ctx.translate(margin + (i + 0.5) * cell, margin - 4); ctx.rotate(-Math.PI / 2); ctx.textAlign = "left";
          ctx.fillText(T[i], 0, 0); ctx.restore();
        }
        geometry = {margin: margin, cell: cell, m: m};
        var bar = $("rollout-bar").getContext("2d");
        for (var x = 0; x < 200; x++) { var c = shade(x / 199); bar.fillStyle = "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")"; bar.fillRect(x, 0, 1, 12); }
        $("rollout-max").textContent = fixed(top) + (skip ? " or more" : "");
        $("rollout-status").textContent = "Through layer " + (Number(rolloutSelect.value) + 1) + " of " + LAYERS;
      }
      rc.addEventListener("mousemove", function (e) {
        if (!geometry) { return; }
        var box = rc.getBoundingClientRect(), k = Math.floor((e.clientX - box.left - geometry.margin) / geometry.cell),
            q = Math.floor((e.clientY - box.top - geometry.margin) / geometry.cell);
        if (q >= 0 && q < N && k >= 0 && k < N) {
          $("rollout-status").textContent = "“" + T[q] + "” (row " + (q + 1) + ") ← “" + T[k] + "” (column " + (k + 1) + "): " + fixed(geometry.m[q][k]);
        }
      });
      rolloutSelect.addEventListener("change", drawRollout); $("rollout-scale").addEventListener("change", drawRollout);

      show(location.hash.slice(1));
    })();
    """
}
