// The latent explorer of one run. The page keeps each sample's z; the server turns z into images with the run's G.
(function () {
  "use strict";
  const {el, api, guarded, showError} = window.Z;
  document.getElementById("nav").appendChild(Z.nav(""));
  const run = Z.param("run") || "";
  const $ = (id) => document.getElementById(id);
  const state = {info: null, samples: [], picks: [], groups: {a: [], b: [], c: []}, directions: null, image: null};
  $("report-link").href = `/report?run=${encodeURIComponent(run)}`;
  const label = () => (state.info && state.info.conditional ? $("class").value : null);
  const cell = () => { const s = state.info.shape; return Math.max(2, Math.round(56 / s[s.length - 1])) * s[s.length - 1]; };

  function thumb(item, size, onclick) {
    return el("img", {src: item.image, width: size, height: size, alt: "", title: onclick ? "click" : "", onclick: onclick});
  }
  function renderTray() {
    const tray = $("tray");
    tray.innerHTML = "";
    state.picks.forEach((p, i) => tray.appendChild(thumb(p, 40, () => { state.picks.splice(i, 1); mark(p); renderTray(); })));
    for (const g of ["a", "b", "c"]) {
      const box = $(`group-${g}`);
      box.innerHTML = "";
      state.groups[g].forEach((p, i) => box.appendChild(thumb(p, 36, () => { state.groups[g].splice(i, 1); renderTray(); })));
    }
  }
  function renderGrid() {
    const grid = $("grid");
    grid.innerHTML = "";
    const cols = Math.round(Math.sqrt(state.samples.length));
    grid.style.gridTemplateColumns = `repeat(${cols}, auto)`;
    const size = cell();
    state.samples.forEach((s) => {
      s.node = thumb(s, size, () => {
        const at = state.picks.indexOf(s);
        if (at >= 0) state.picks.splice(at, 1); else state.picks.push(s);
        mark(s);
        renderTray();
      });
      mark(s);
      grid.appendChild(s.node);
    });
  }
  function mark(sample) {  // outline a grid sample while it is picked
    if (sample.node) sample.node.classList.toggle("picked", state.picks.includes(sample));
  }

  async function draw() {
    const t0 = performance.now();
    const data = await api("/api/samples", {run: run, seed: +$("seed").value, n: +$("n").value, label: label()});
    state.samples = data.images.map((image, i) => ({image: image, z: data.z[i]}));
    renderGrid();
    const ms = performance.now() - t0;
    $("timing").textContent = `${state.samples.length} samples in ${ms.toFixed(0)} ms`;
    $("grid").setAttribute("data-ms", ms.toFixed(1));
    if (state.directions) slide();
  }

  async function walk() {
    if (state.picks.length < 2) throw new Error("pick two samples first (click them in the grid)");
    const data = await api("/api/interpolate", {run: run, z0: state.picks[0].z, z1: state.picks[1].z, steps: +$("walk-steps").value, mode: $("mode").value, label: label()});
    const strip = $("walk-strip");
    strip.innerHTML = "";
    data.images.forEach((image) => strip.appendChild(el("img", {src: image, width: cell(), height: cell(), alt: ""})));
  }

  async function compute() {
    const g = state.groups;
    if (!g.a.length || !g.b.length || !g.c.length) throw new Error("put at least one pick in each of A, B and C");
    const zs = (list) => list.map((p) => p.z);
    const data = await api("/api/arithmetic", {run: run, a: zs(g.a), b: zs(g.b), c: zs(g.c), neighbours: 8, label: label()});
    const img = (src) => el("img", {src: src, alt: ""});
    const eq = $("equation");
    eq.innerHTML = "";
    eq.append(img(data.means[0]), "−", img(data.means[1]), "+", img(data.means[2]), "=", img(data.result));
    const around = $("neighbours");
    around.innerHTML = "";
    data.neighbours.forEach((src) => around.appendChild(el("img", {src: src, width: cell(), height: cell(), alt: ""})));
  }

  let sliding = null;
  async function slide() {
    if (!state.directions) return;
    const base = (state.picks[0] || state.samples[0] || {}).z;
    if (!base) throw new Error("draw samples first");
    const z = base.slice();
    document.querySelectorAll("#sliders input").forEach((input, i) => {
      const s = +input.value;
      input.parentElement.querySelector("output").textContent = s.toFixed(2);
      state.directions.directions[i].forEach((d, j) => { z[j] += s * d; });
    });
    const data = await api("/api/generate", {run: run, z: [z], label: label()});
    $("slide-image").src = data.images[0];
  }
  function scheduleSlide() {
    if (sliding) return;
    sliding = setTimeout(() => { sliding = null; guarded(slide); }, 60);
  }
  async function loadDirections() {
    const data = await api("/api/directions", {run: run, kind: $("direction-kind").value, k: 8});
    state.directions = data;
    const box = $("sliders");
    box.innerHTML = "";
    data.names.forEach((name) => box.appendChild(el("label", {}, name,
      el("input", {type: "range", min: -3, max: 3, step: 0.25, value: 0, oninput: scheduleSlide}), el("output", {}, "0.00"))));
    await slide();
  }

  // Completion: the canvas shows the image large; painting marks the hole (mask[i] = 1) in image pixels.
  const canvas = $("mask-canvas");
  const ctx = canvas.getContext("2d");
  let mask = null, size = 0, source = null, painting = false;
  function setImage(src) {
    const im = new Image();
    im.onload = () => {
      source = im;
      state.image = src;
      mask = new Uint8Array(size * size);
      paint();
    };
    im.src = src;
  }
  function paint() {
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (source) ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    if (!mask) return;
    const k = canvas.width / size;
    ctx.fillStyle = "rgba(230, 60, 40, 0.75)";
    for (let i = 0; i < mask.length; i++) if (mask[i]) ctx.fillRect((i % size) * k, Math.floor(i / size) * k, k, k);
  }
  function brushAt(ev) {
    if (!mask) return;
    const box = canvas.getBoundingClientRect();
    const x = (ev.clientX - box.left) / box.width * size, y = (ev.clientY - box.top) / box.height * size;
    const r = +$("brush").value * size / 64;
    for (let j = Math.max(0, Math.floor(y - r)); j < Math.min(size, Math.ceil(y + r)); j++)
      for (let i = Math.max(0, Math.floor(x - r)); i < Math.min(size, Math.ceil(x + r)); i++)
        if ((i + 0.5 - x) ** 2 + (j + 0.5 - y) ** 2 <= r * r) mask[j * size + i] = 1;
    paint();
  }
  canvas.addEventListener("pointerdown", (ev) => { painting = true; canvas.setPointerCapture(ev.pointerId); brushAt(ev); });
  canvas.addEventListener("pointermove", (ev) => { if (painting) brushAt(ev); });
  canvas.addEventListener("pointerup", () => { painting = false; });
  $("clear-mask").addEventListener("click", () => { if (mask) { mask.fill(0); paint(); } });
  $("half-mask").addEventListener("click", () => { if (mask) { for (let i = mask.length / 2; i < mask.length; i++) mask[i] = 1; paint(); } });

  async function loadPicks() {
    const data = await api("/api/picks", {run: run, n: 12});
    const box = $("picks");
    box.innerHTML = "";
    $("picks-note").textContent = data.split === "test" ? "held-out (test) images" : `${data.split} images: this dataset holds out none`;
    data.images.forEach((src) => box.appendChild(el("img", {src: src, width: 48, height: 48, alt: "", onclick: () => setImage(src)})));
    setImage(data.images[0]);
  }
  function readUpload(input, then) {
    const file = input.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => then(reader.result);
    reader.onerror = () => showError("the file could not be read");
    reader.readAsDataURL(file);
  }
  async function uploadForCompletion(dataUri) {
    // The server fits the image to the run's size and channels, and refuses what it cannot decode.
    const fitted = await api("/api/fit", {run: run, image: dataUri});
    setImage(fitted.image);
  }
  async function complete() {
    if (!state.image) throw new Error("pick or upload an image first");
    if (!mask || !mask.some((v) => v)) throw new Error("paint the hole on the image first");
    const job = await api("/api/complete", {run: run, image: state.image, mask: Array.from(mask), steps: +$("complete-steps").value, restarts: +$("restarts").value});
    const bar = $("complete-progress"), status = $("complete-status"), preview = $("complete-preview");
    bar.max = job.total;
    preview.hidden = false;
    for (;;) {
      const now = await api(`/api/jobs/${job.id}`);
      bar.value = now.done;
      status.textContent = `${now.done} / ${now.total} steps, ${now.seconds.toFixed(1)} s`;
      if (now.preview) preview.src = now.preview;
      if (now.status === "error") throw new Error(now.error);
      if (now.status === "done") { showResult(now.result); return; }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  function showResult(result) {
    const box = $("complete-result");
    box.innerHTML = "";
    const names = {"zerosum G(z)": "zerosum_raw", "mean fill": "mean_fill", "Telea": "telea"};
    for (const c of result.columns) {
      const key = names[c.label] || (c.label.startsWith("zerosum ") ? "zerosum" : null);
      const score = key && result.scores[key] ? `hole PSNR ${result.scores[key].psnr.toFixed(1)} dB` : "";
      box.appendChild(el("figure", {}, el("img", {src: c.image, alt: c.label}), el("figcaption", {}, c.label, el("br"), score)));
    }
  }

  async function translate(image) {
    const data = await api("/api/translate", image ? {run: run, image: image} : {run: run, n: 8});
    $("translate-picture").src = data.picture;
    $("translate-columns").textContent = `columns: ${data.columns.join(" | ")}`;
  }

  async function start() {
    const info = await api(`/api/info?run=${encodeURIComponent(run)}`);
    state.info = info;
    document.title = `zerosum: ${info.name}`;
    $("title").textContent = info.name;
    $("subtitle").textContent = `${info.preset || info.arch} · ${info.kind} ${info.shape.join("×")} · step ${info.step} (${info.checkpoint})`;
    if (info.task) { $("translator").hidden = false; return; }
    if (info.kind !== "image") { $("points").hidden = false; return; }
    $("gan").hidden = false;
    if (info.conditional) {
      $("class-box").hidden = false;
      info.classes.forEach((name, i) => $("class").appendChild(el("option", {value: String(i)}, `${i}: ${name}`)));
      $("direction-kind").value = "coordinates";
      $("direction-kind").querySelector("[value=principal]").disabled = true;
    }
    if (!info.discriminator) $("completion").hidden = true;
    size = info.shape[info.shape.length - 1];
    canvas.width = canvas.height = Math.max(256, size * Math.ceil(256 / size));
    await draw();
  }

  $("draw").addEventListener("click", (e) => guarded(draw, e.target));
  $("next-seed").addEventListener("click", (e) => { $("seed").value = +$("seed").value + 1; guarded(draw, e.target); });
  $("clear-picks").addEventListener("click", () => { const was = state.picks; state.picks = []; was.forEach(mark); renderTray(); });
  $("walk").addEventListener("click", (e) => guarded(walk, e.target));
  document.querySelectorAll("[data-group]").forEach((b) => b.addEventListener("click", () => {
    const moved = state.picks;
    state.groups[b.dataset.group].push(...moved); state.picks = []; moved.forEach(mark); renderTray();
  }));
  $("compute").addEventListener("click", (e) => guarded(compute, e.target));
  $("load-directions").addEventListener("click", (e) => guarded(loadDirections, e.target));
  $("load-picks").addEventListener("click", (e) => guarded(loadPicks, e.target));
  $("upload").addEventListener("change", (e) => readUpload(e.target, (uri) => guarded(() => uploadForCompletion(uri))));
  $("complete").addEventListener("click", (e) => guarded(complete, e.target));
  $("translate-upload").addEventListener("change", (e) => readUpload(e.target, (uri) => guarded(() => translate(uri))));
  $("held-out").addEventListener("click", (e) => guarded(() => translate(null), e.target));
  guarded(start).then(() => document.body.setAttribute("data-ready", "1"));
})();
