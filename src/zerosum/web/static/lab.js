// The GAN lab's page: opens one stream of frames for this tab and draws them; the controls steer the server's lab.
(function () {
  "use strict";
  const {el, api, guarded} = window.Z;
  document.getElementById("nav").appendChild(Z.nav("/lab"));
  const $ = (id) => document.getElementById(id);
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  const tab = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const view = $("view"), vctx = view.getContext("2d");
  const hist = $("history"), hctx = hist.getContext("2d");
  const lab = {fixed: null, frame: null, frames: 0, times: [], history: [], playing: false};
  window.zerosumLab = lab;

  const GREEN = [44, 160, 44], PURPLE = [148, 103, 189];
  function mix(d) {  // D's belief as a colour: purple (fake) to green (real), pale so points stay visible
    const c = PURPLE.map((p, i) => p + (GREEN[i] - p) * d);
    return `rgb(${c.map((v) => Math.round(255 - (255 - v) * 0.6)).join(",")})`;
  }

  function draw2d(fixed, f) {
    const W = view.width, H = view.height, n = fixed.map_size;
    const X = (x) => (x - fixed.lo) / (fixed.hi - fixed.lo) * W, Y = (y) => H - (y - fixed.lo) / (fixed.hi - fixed.lo) * H;
    const cw = W / n, ch = H / n;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) { vctx.fillStyle = mix(f.dmap[j * n + i]); vctx.fillRect(i * cw, j * ch, cw + 1, ch + 1); }
    vctx.fillStyle = "rgba(20, 110, 20, 0.8)";
    for (const p of fixed.real) { vctx.beginPath(); vctx.arc(X(p[0]), Y(p[1]), 2, 0, 7); vctx.fill(); }
    vctx.fillStyle = "rgba(110, 40, 160, 0.85)";
    for (const p of f.fake) { vctx.beginPath(); vctx.arc(X(p[0]), Y(p[1]), 2, 0, 7); vctx.fill(); }
    let top = 1e-12;
    for (const g of f.field) top = Math.max(top, Math.hypot(g[0], g[1]));
    vctx.strokeStyle = "rgba(30, 30, 30, 0.75)";
    vctx.lineWidth = 1;
    f.field.forEach((g, i) => {
      const p = f.fake[i], len = 28 * Math.hypot(g[0], g[1]) / top, a = Math.atan2(-g[1], g[0]);
      const x0 = X(p[0]), y0 = Y(p[1]), x1 = x0 + len * Math.cos(a), y1 = y0 + len * Math.sin(a);
      vctx.beginPath(); vctx.moveTo(x0, y0); vctx.lineTo(x1, y1);
      vctx.lineTo(x1 - 4 * Math.cos(a - 0.5), y1 - 4 * Math.sin(a - 0.5)); vctx.moveTo(x1, y1);
      vctx.lineTo(x1 - 4 * Math.cos(a + 0.5), y1 - 4 * Math.sin(a + 0.5)); vctx.stroke();
    });
  }

  function draw1d(fixed, f) {
    const W = view.width, H = view.height, top = 20, base = H * 0.68;
    const X = (x) => (x - fixed.lo) / (fixed.hi - fixed.lo) * W;
    const peak = Math.max(1e-9, ...fixed.p_data, ...f.p_g);
    const Yd = (p) => base - p / peak * (base - top), Yp = (d) => base - d * (base - top);
    vctx.fillStyle = "rgba(44, 160, 44, 0.25)";
    vctx.beginPath(); vctx.moveTo(X(fixed.x[0]), base);
    fixed.x.forEach((x, i) => vctx.lineTo(X(x), Yd(fixed.p_data[i]))); vctx.lineTo(X(fixed.x[fixed.x.length - 1]), base); vctx.fill();
    const line = (ys, color, dash) => { vctx.strokeStyle = color; vctx.setLineDash(dash || []); vctx.lineWidth = 2; vctx.beginPath(); fixed.x.forEach((x, i) => (i ? vctx.lineTo(X(x), ys[i]) : vctx.moveTo(X(x), ys[i]))); vctx.stroke(); vctx.setLineDash([]); };
    line(f.p_g.map(Yd), "rgb(148, 103, 189)");
    line(f.d.map(Yp), "rgb(31, 119, 180)", [6, 4]);
    vctx.strokeStyle = "#999"; vctx.beginPath(); vctx.moveTo(0, Yp(0.5)); vctx.lineTo(W, Yp(0.5)); vctx.stroke();
    vctx.fillStyle = "#666"; vctx.font = "11px sans-serif"; vctx.fillText("D = ½", 4, Yp(0.5) - 3);
    // G's mapping, as in the paper's figure: evenly spaced z (lower line) to the x they land on (upper line).
    const zLine = H - 24, xLine = base + 20, zl = Math.min(...f.z_map), zh = Math.max(...f.z_map);
    const Z = (z) => W * 0.1 + (z - zl) / Math.max(zh - zl, 1e-9) * W * 0.8;
    vctx.strokeStyle = "#444"; vctx.beginPath(); vctx.moveTo(0, zLine); vctx.lineTo(W, zLine); vctx.moveTo(0, xLine); vctx.lineTo(W, xLine); vctx.stroke();
    vctx.strokeStyle = "rgba(110, 40, 160, 0.6)";
    f.z_map.forEach((z, i) => { vctx.beginPath(); vctx.moveTo(Z(z), zLine); vctx.lineTo(X(f.x_map[i]), xLine); vctx.stroke(); });
    vctx.fillStyle = "#444"; vctx.fillText("z", 4, zLine - 4); vctx.fillText("x", 4, xLine - 4);
    for (let t = Math.ceil(fixed.lo); t <= fixed.hi; t++) vctx.fillText(String(t), X(t) - 3, xLine + 12);
  }

  function drawHistory() {
    const W = hist.width, H = hist.height, rows = lab.history;
    hctx.clearRect(0, 0, W, H);
    if (rows.length < 2) return;
    const keys = [["loss_d", "#1f77b4"], ["loss_g", "#d62728"], ["d_real", "#2ca02c"], ["d_fake", "#9467bd"]];
    let hi = 1;
    for (const r of rows) for (const [k] of keys) if (isFinite(r[k])) hi = Math.max(hi, r[k]);
    hi = Math.min(hi, 10);
    for (const [k, color] of keys) {
      hctx.strokeStyle = color; hctx.beginPath();
      rows.forEach((r, i) => { const x = i / (rows.length - 1) * W, y = H - Math.min(r[k], hi) / hi * (H - 4) - 2; if (i) hctx.lineTo(x, y); else hctx.moveTo(x, y); });
      hctx.stroke();
    }
  }

  function render() {
    const f = lab.frame, fixed = lab.fixed;
    if (!f || !fixed || f.version !== fixed.version) return;
    vctx.clearRect(0, 0, view.width, view.height);
    if (fixed.dim === 1) draw1d(fixed, f); else draw2d(fixed, f);
    const s = f.stats || {};
    const now = performance.now();
    const fps = lab.times.length > 1 ? (lab.times.length - 1) / ((now - lab.times[0]) / 1000) : 0;
    $("stats").textContent = `step ${f.step} · ${fps.toFixed(1)} frames/s · ${s.updates_per_s ? s.updates_per_s.toFixed(0) : "–"} updates/s (server)\n` +
      `D(x) ${fmt(s.d_real)} · D(G(z)) ${fmt(s.d_fake)} · loss D ${fmt(s.loss_d)} · loss G ${fmt(s.loss_g)}`;
    document.body.dataset.step = f.step;
    document.body.dataset.frames = lab.frames;
    document.body.dataset.fps = fps.toFixed(2);
  }
  const fmt = (v) => (v === undefined ? "–" : (+v).toFixed(3));

  function legend(fixed) {
    const box = $("legend");
    box.innerHTML = "";
    const items = fixed.dim === 1
      ? [["rgba(44,160,44,0.4)", "p_data"], ["rgb(148,103,189)", "p_g"], ["rgb(31,119,180)", "D(x)"]]
      : [["rgb(20,110,20)", "real"], ["rgb(110,40,160)", "generated"], [mix(1), "D says real"], [mix(0), "D says fake"], ["#333", "G's gradient (−∂L_G/∂x)"]];
    for (const [c, t] of items) box.appendChild(el("span", {}, el("i", {style: `background:${c}`}), t));
  }

  const source = new EventSource(`/api/lab/stream?tab=${tab}&data=${encodeURIComponent($("data").value)}`);
  source.addEventListener("static", (ev) => {
    const fixed = JSON.parse(ev.data);
    lab.fixed = fixed;
    lab.history = [];
    legend(fixed);
    for (const k in fixed.settings) if ($(k)) $(k).value = String(fixed.settings[k]);
    Z.showError("");
  });
  source.addEventListener("frame", (ev) => {
    const f = JSON.parse(ev.data);
    lab.frame = f;
    lab.frames += 1;
    const now = performance.now();
    lab.times.push(now);
    while (lab.times.length > 2 && now - lab.times[0] > 2000) lab.times.shift();
    if (f.stats && f.stats.loss_d !== undefined) { lab.history.push(f.stats); if (lab.history.length > 400) lab.history.shift(); }
    render();
    drawHistory();
  });
  source.addEventListener("error", () => Z.showError("the lab's stream was interrupted; reconnecting (the training starts again)"));

  async function control(action, extra) {
    const out = await api("/api/lab/control", Object.assign({tab: tab, action: action}, extra || {}));
    lab.playing = out.playing;
    $("play").textContent = lab.playing ? "pause" : "play";
    return out;
  }
  $("play").addEventListener("click", () => guarded(() => control(lab.playing ? "pause" : "play")));
  $("step").addEventListener("click", () => guarded(() => control("step", {steps: 1})));
  $("reset").addEventListener("click", () => guarded(() => control("reset")));
  const numeric = new Set(["k", "pack", "batch", "seed", "steps_per_frame", "lr_d", "lr_g"]);
  for (const key of ["data", "pack", "batch", "seed", "loss", "update", "k", "lr_d", "lr_g", "steps_per_frame"]) {
    $(key).addEventListener("change", () => guarded(() => control("configure", {settings: {[key]: numeric.has(key) ? +$(key).value : $(key).value}})));
  }
})();
