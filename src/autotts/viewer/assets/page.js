// The run page's behaviour: open a round from its row or from a curve point,
// and (served by `autotts view`) re-render when the run directory changes.
(function () {
  "use strict";
  const cfg = window.AUTOTTS || {};

  function showRound(n, scroll) {
    n = String(n);
    let panel = null;
    document.querySelectorAll(".round-panel").forEach(function (p) {
      p.hidden = p.dataset.round !== n;
      if (!p.hidden) panel = p;
    });
    document.querySelectorAll("tr.round-row").forEach(function (r) {
      r.classList.toggle("selected", r.dataset.round === n);
    });
    if (!panel) return;
    history.replaceState(null, "", "#r" + n);
    if (scroll) panel.scrollIntoView({block: "start"});
  }
  window.autottsShowRound = showRound;

  document.addEventListener("click", function (ev) {
    const el = ev.target.closest("tr.round-row, .round-link");
    if (el && el.dataset.round) {
      ev.preventDefault();
      showRound(el.dataset.round, true);
    }
  });

  // Round curves carry their round number as customdata; baselines carry none.
  function hookCharts() {
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      gd.on("plotly_click", function (d) {
        const p = d && d.points && d.points[0];
        if (p && p.customdata !== undefined && p.customdata !== null) {
          showRound(Array.isArray(p.customdata) ? p.customdata[0] : p.customdata, true);
        }
      });
    });
  }

  function restore() {
    const m = /^#r(\d+)$/.exec(location.hash);
    if (m) showRound(m[1], false);
    const y = sessionStorage.getItem("autotts-scroll");
    if (y !== null) {
      sessionStorage.removeItem("autotts-scroll");
      window.scrollTo(0, Number(y));
    }
  }

  function poll() {
    fetch("api/version", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (v) {
        if (v.version !== cfg.version) {
          sessionStorage.setItem("autotts-scroll", String(window.scrollY));
          location.reload();
          return;
        }
        setTimeout(poll, cfg.pollMs);
      })
      .catch(function () { setTimeout(poll, cfg.pollMs); });
  }

  window.addEventListener("load", function () {
    hookCharts();
    restore();
    if (cfg.live) {
      const badge = document.getElementById("live");
      if (badge) badge.hidden = false;
      setTimeout(poll, cfg.pollMs);
    }
  });
})();
