(function () {
  "use strict";
  const {el, api, guarded} = window.Z;
  document.getElementById("nav").appendChild(Z.nav("/"));
  guarded(async () => {
    const data = await api("/api/runs");
    const body = document.querySelector("#runs tbody");
    if (!data.runs.length) body.appendChild(el("tr", {}, el("td", {colspan: 6, class: "muted"}, "No runs here yet: train one with `zerosum train --preset demo --out runs/demo`.")));
    for (const r of data.runs) {
      const q = encodeURIComponent(r.name);
      body.appendChild(el("tr", {"data-run": r.name},
        el("td", {}, r.preview ? el("img", {class: "thumb", src: `/api/preview.png?run=${q}`, alt: ""}) : ""),
        el("td", {}, el("b", {}, r.name), el("div", {class: "muted"}, r.description || r.preset || "")),
        el("td", {}, r.arch || "?"),
        el("td", {}, `${r.data || "?"} (${r.kind || "?"})`),
        el("td", {}, r.step === null ? "no checkpoint" : `${r.step} / ${r.steps}`),
        el("td", {}, el("a", {href: `/run?run=${q}`}, "explore"), " · ", el("a", {href: `/report?run=${q}`}, "report"))));
    }
    const list = document.getElementById("records");
    if (!data.records.length) list.appendChild(el("li", {class: "muted"}, "None under this folder (zerosum reproduce writes them)."));
    for (const r of data.records) list.appendChild(el("li", {}, el("a", {href: `/report?run=${encodeURIComponent(r.name)}`}, r.title), ` (${r.budgets.join(", ")})`));
  });
})();
