// Renders the report from the JSON embedded in the page (id "report-data"). Text goes in through textContent only.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const main = document.getElementById("report");

  function h(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === "class") n.className = attrs[k]; else n.setAttribute(k, attrs[k]);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      n.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return n;
  }
  function section(title, id, ...body) {
    const s = h("section", {id: id}, h("h2", {}, title), ...body);
    main.appendChild(s);
    return s;
  }
  function table(head, rows) {
    return h("table", {}, h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c === null || c === undefined ? "–" : String(c)))))));
  }
  function plot(title, names, extra) {
    const series = names.filter((n) => data.series[n]).map((n) => ({name: (extra && extra.labels && extra.labels[n]) || n, x: data.series[n].x, y: data.series[n].y}));
    if (!series.length) return null;
    const el = h("div", {class: "plot", "data-plot": title});
    window.ZPlot.line(el, Object.assign({title: title, series: series, xlabel: "step"}, extra || {}));
    return el;
  }
  function when(seconds) { return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC"; }

  function runReport() {
    document.title = `zerosum report: ${data.name}`;
    main.appendChild(h("header", {}, h("h1", {}, data.name),
      h("p", {class: "sub"}, [data.preset ? `preset ${data.preset}` : "no preset", `step ${data.step} of ${data.steps}`].join(" · ")),
      data.description ? h("p", {}, data.description) : null));

    const sessions = data.sessions || [];
    section("Where it trained", "hardware", sessions.length ? table(
      ["from step", "started", "hardware", "device", "threads", "processes", "torch", "amp", "channels_last", "reuse_fake"],
      sessions.map((s) => [s.step, s.started, s.hardware, s.device, s.threads, s.processes, s.torch,
        s.fast_paths.amp, s.fast_paths.channels_last ? "on" : "off", s.fast_paths.reuse_fake ? "on" : "off"]))
      : h("p", {class: "muted"}, "This run records no training sessions (it was trained before zerosum kept them)."));

    const names = Object.keys(data.series);
    const losses = names.filter((n) => n.startsWith("loss"));
    const grid = h("div", {class: "plots"});
    section("Training curves", "curves", grid);
    for (const p of [
      plot("losses", losses),
      plot("D(x) and D(G(z))", ["d_real", "d_fake"], {hline: 0.5, labels: {d_real: "D(x)", d_fake: "D(G(z))"}}),
      plot("learning rates", names.filter((n) => n.startsWith("lr_"))),
      plot("images per second", ["img_per_s"]),
    ]) if (p) grid.appendChild(p);
    const known = new Set([...losses, "d_real", "d_fake", "img_per_s", "epoch"].concat(names.filter((n) => n.startsWith("lr_") || n.startsWith("eval/"))));
    for (const n of names.filter((n) => !known.has(n))) grid.appendChild(plot(n, [n]));

    const evals = names.filter((n) => n.startsWith("eval/"));
    if (evals.length || data.evaluations.length) {
      const eg = h("div", {class: "plots"});
      for (const n of evals) eg.appendChild(plot(n.slice(5), [n]));
      const records = data.evaluations.map((e) => h("details", {open: ""}, h("summary", {}, e.name),
        table(["field", "value"], Object.entries(e.fields).map(([k, v]) => [k, typeof v === "number" ? window.ZPlot.fmt(v) : v]))));
      section("Evaluation", "evaluation", eg, ...records);
    }

    const previews = data.previews;
    if (previews.length) {
      const img = h("img", {id: "timeline-image", alt: "samples at this step", src: previews[previews.length - 1].src});
      const label = h("span", {id: "timeline-step"}, `step ${previews[previews.length - 1].step}`);
      const slider = h("input", {type: "range", id: "timeline", min: "0", max: String(previews.length - 1), value: String(previews.length - 1)});
      const play = h("button", {type: "button", id: "timeline-play"}, "play");
      let timer = null;
      const show = (i) => { slider.value = String(i); img.src = previews[i].src; label.textContent = `step ${previews[i].step} (${i + 1} of ${previews.length})`; };
      slider.addEventListener("input", () => show(+slider.value));
      play.addEventListener("click", () => {
        if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
        play.textContent = "pause";
        if (+slider.value === previews.length - 1) show(0);
        timer = setInterval(() => { const i = +slider.value + 1; if (i >= previews.length) { clearInterval(timer); timer = null; play.textContent = "play"; } else show(i); }, 400);
      });
      section("Samples over training", "previews", h("p", {class: "muted"}, "The same fixed noise at every preview, so what changes is G."),
        h("div", {class: "timeline"}, h("div", {class: "controls"}, play, slider, label), img));
    }

    const events = data.events.filter((e) => e.event === "divergence");
    section("Divergence", "divergence", events.length ? table(["rolled back to", "detected at", "kind", "reason", "lr scale", "recovery", "stopped"],
      events.map((e) => [e.step, e.detected_at, e.kind, e.reason, e.lr_scale, e.recovery, e.stopped ? "yes" : "no"]))
      : h("p", {class: "muted"}, "No divergence was detected."));

    section("Checkpoints", "checkpoints", data.checkpoints.length ? table(["file", "step", "size (MB)", "written", "latest"],
      data.checkpoints.map((c) => [c.file, c.step, c.mb, when(c.modified), c.latest ? "yes" : ""]))
      : h("p", {class: "muted"}, "No checkpoint yet."));

    if (data.figures.length) section("Pictures made from this run", "figures", data.figures.map((f) => h("figure", {}, h("img", {src: f.src, alt: f.caption}), h("figcaption", {}, f.caption))));
    section("Configuration", "config", h("details", {}, h("summary", {}, "config.yaml"), h("pre", {}, data.config_text)));
  }

  function experimentReport() {
    document.title = `zerosum reproduce: ${data.title}`;
    main.appendChild(h("header", {}, h("h1", {}, data.title), h("p", {class: "sub"}, data.source)));
    for (const b of data.budgets) {
      const minutes = b.wall_s ? `${(b.wall_s / 60).toFixed(1)} min` : "–";
      section(`Budget: ${b.budget}`, `budget-${b.budget}`,
        h("p", {}, h("code", {}, b.command || "")),
        h("p", {class: "muted"}, `${b.hardware || "hardware not recorded"} · ${b.date || ""} · ${minutes}`),
        table(["metric", "value", "anchor", "target", "met", "note"], b.rows.map((r) => [r.metric, r.value, r.anchor, r.target, r.met === null ? "–" : (r.met ? "yes" : "no"), r.note])),
        b.figures.map((f) => h("figure", {}, h("img", {src: f.src, alt: f.caption}), h("figcaption", {}, f.caption))),
        b.text ? h("p", {}, b.text) : null);
    }
  }

  if (data.kind === "experiment") experimentReport(); else runReport();
  document.body.setAttribute("data-ready", "1");
})();
