// What every page of `zerosum serve` shares: element building, JSON calls with one-line errors, the error bar.
(function (global) {
  "use strict";
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") n.className = v;
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      n.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return n;
  }
  function showError(message) {
    const bar = document.getElementById("error");
    if (!bar) return;
    bar.textContent = message || "";
    bar.hidden = !message;
  }
  async function api(path, body) {
    const opts = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
    let response;
    try { response = await fetch(path, opts); } catch (e) { throw new Error("the server cannot be reached; is `zerosum serve` still running?"); }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
    return data;
  }
  // Runs an async action with the error bar cleared first and filled with its one-line error if it fails.
  async function guarded(action, button) {
    showError("");
    if (button) button.disabled = true;
    try { return await action(); } catch (e) { showError(e.message); return null; } finally { if (button) button.disabled = false; }
  }
  function param(name) { return new URLSearchParams(location.search).get(name); }
  function nav(active) {
    const links = [["/", "Runs"], ["/lab", "GAN lab"]];
    return el("nav", {}, el("b", {}, "zerosum"), links.map(([href, text]) => el("a", {href: href, class: href === active ? "active" : null}, text)));
  }
  global.Z = {el: el, api: api, guarded: guarded, showError: showError, param: param, nav: nav};
})(window);
