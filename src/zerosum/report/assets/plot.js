// zerosum's line plots: inline SVG, no library, nothing from the network.
// ZPlot.line(el, {series: [{name, x, y, color?, dash?}], xlabel, ylabel, title, hline?}) draws into `el`, with a
// legend that hides a series on click and a readout of the values nearest the pointer.
(function (global) {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

  function node(tag, attrs, parent) {
    const n = document.createElementNS(NS, tag);
    for (const k in attrs) n.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(n);
    return n;
  }

  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) { hi = lo + 1; }
    const raw = (hi - lo) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
    return ticks;
  }

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
    return +v.toPrecision(4) + "";
  }

  function nearest(xs, x) {
    let lo = 0, hi = xs.length - 1;
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid; else hi = mid; }
    return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
  }

  function line(el, opts) {
    const W = opts.width || 560, H = opts.height || 260;
    const M = {l: 56, r: 12, t: opts.title ? 24 : 10, b: 38};
    const series = opts.series.filter((s) => s.x && s.x.length).map((s, i) => Object.assign({color: COLORS[i % COLORS.length], hidden: false}, s));
    el.innerHTML = "";
    el.classList.add("zplot");
    const svg = node("svg", {viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img"}, el);
    if (opts.title) node("text", {x: M.l, y: 16, class: "title"}, svg).textContent = opts.title;
    const plot = node("g", {}, svg);
    const readout = document.createElement("div");
    readout.className = "readout";
    const legend = document.createElement("div");
    legend.className = "legend";
    el.appendChild(legend);
    el.appendChild(readout);

    function draw() {
      plot.innerHTML = "";
      const shown = series.filter((s) => !s.hidden);
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (const s of shown) {
        for (let i = 0; i < s.x.length; i++) {
          x0 = Math.min(x0, s.x[i]); x1 = Math.max(x1, s.x[i]);
          y0 = Math.min(y0, s.y[i]); y1 = Math.max(y1, s.y[i]);
        }
      }
      if (opts.hline !== undefined) { y0 = Math.min(y0, opts.hline); y1 = Math.max(y1, opts.hline); }
      if (!isFinite(x0)) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
      if (x1 === x0) x1 = x0 + 1;
      if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
      const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
      const X = (v) => M.l + (v - x0) / (x1 - x0) * (W - M.l - M.r);
      const Y = (v) => H - M.b - (v - y0) / (y1 - y0) * (H - M.t - M.b);
      for (const t of niceTicks(y0, y1, 5)) {
        node("line", {x1: M.l, x2: W - M.r, y1: Y(t), y2: Y(t), class: "grid"}, plot);
        node("text", {x: M.l - 6, y: Y(t) + 4, class: "tick", "text-anchor": "end"}, plot).textContent = fmt(t);
      }
      for (const t of niceTicks(x0, x1, 6)) {
        node("line", {x1: X(t), x2: X(t), y1: H - M.b, y2: H - M.b + 4, class: "axis"}, plot);
        node("text", {x: X(t), y: H - M.b + 16, class: "tick", "text-anchor": "middle"}, plot).textContent = fmt(t);
      }
      node("line", {x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, class: "axis"}, plot);
      node("line", {x1: M.l, x2: M.l, y1: M.t, y2: H - M.b, class: "axis"}, plot);
      if (opts.xlabel) node("text", {x: (M.l + W - M.r) / 2, y: H - 4, class: "label", "text-anchor": "middle"}, plot).textContent = opts.xlabel;
      if (opts.ylabel) node("text", {x: 12, y: (M.t + H - M.b) / 2, class: "label", "text-anchor": "middle", transform: `rotate(-90 12 ${(M.t + H - M.b) / 2})`}, plot).textContent = opts.ylabel;
      if (opts.hline !== undefined) node("line", {x1: M.l, x2: W - M.r, y1: Y(opts.hline), y2: Y(opts.hline), class: "ref"}, plot);
      for (const s of shown) {
        let d = "";
        for (let i = 0; i < s.x.length; i++) d += (i ? "L" : "M") + X(s.x[i]).toFixed(1) + " " + Y(s.y[i]).toFixed(1);
        const attrs = {d: d, stroke: s.color, fill: "none", "stroke-width": 1.4, class: "series"};
        if (s.dash) attrs["stroke-dasharray"] = "5 3";
        node("path", attrs, plot);
        if (s.x.length <= 40) for (let i = 0; i < s.x.length; i++) node("circle", {cx: X(s.x[i]), cy: Y(s.y[i]), r: 2.5, fill: s.color}, plot);
      }
      const cursor = node("line", {y1: M.t, y2: H - M.b, class: "cursor", visibility: "hidden"}, plot);
      const hit = node("rect", {x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b, fill: "transparent"}, plot);
      hit.addEventListener("mousemove", (ev) => {
        const box = svg.getBoundingClientRect();
        const sx = (ev.clientX - box.left) * W / box.width;
        const xv = x0 + (sx - M.l) / (W - M.l - M.r) * (x1 - x0);
        cursor.setAttribute("x1", sx); cursor.setAttribute("x2", sx); cursor.setAttribute("visibility", "visible");
        const parts = shown.map((s) => { const i = nearest(s.x, xv); return `<span style="color:${s.color}">${s.name}</span> ${fmt(s.y[i])} @ ${fmt(s.x[i])}`; });
        readout.innerHTML = parts.join(" · ");
      });
      hit.addEventListener("mouseleave", () => { cursor.setAttribute("visibility", "hidden"); readout.textContent = ""; });
    }

    legend.innerHTML = "";
    for (const s of series) {
      const item = document.createElement("button");
      item.type = "button";
      item.className = "key";
      item.innerHTML = `<i style="background:${s.color}"></i>${s.name}`;
      item.title = "show or hide";
      item.addEventListener("click", () => { s.hidden = !s.hidden; item.classList.toggle("off", s.hidden); draw(); });
      legend.appendChild(item);
    }
    draw();
    return {redraw: draw, svg: svg};
  }

  global.ZPlot = {line: line, fmt: fmt};
})(window);
