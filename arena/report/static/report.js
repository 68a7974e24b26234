/* The arena tournament report: leaderboard, charts, games list and replay viewer.
 *
 * Every string that came from an agent, a model or the store goes into the page through
 * textContent (never innerHTML), and into plotly labels entity-escaped (plotly reads a
 * little HTML in labels). Data come from window.ARENA (data/summary.js) and from script
 * files added on demand (games/l-K.js, games/d-K.js, games/v-N.js), which call
 * arenaList / arenaDetail / arenaViews: pages opened from file:// cannot fetch() JSON.
 */
"use strict";
(function () {
  const A = window.ARENA || { summary: { agents: [], pairs: [] }, meta: {} };
  const S = A.summary, M = A.meta;
  const main = document.getElementById("main");

  // -- DOM helpers (text only) -----------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "cls") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const kid of kids) if (kid !== null && kid !== undefined)
      e.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    return e;
  }
  const txt = (s) => document.createTextNode(s === null || s === undefined ? "" : String(s));
  function section(title, sub) {
    const s = el("section", null, el("h2", { text: title }));
    if (sub) s.appendChild(el("p", { cls: "sub", text: sub }));
    main.appendChild(s);
    return s;
  }
  // plotly reads a little HTML in labels: give it entities, never tags.
  const plEsc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const fin = (x) => typeof x === "number" && isFinite(x);
  const num = (x, d = 3) => (fin(x) ? x.toFixed(d) : "-");
  const short = (x) => { const t = x.toFixed(3); return t.startsWith("0.") ? t.slice(1) : t; };
  const rate = (r, ci) => (fin(r) ? `${r.toFixed(3)}` + (ci && fin(ci[0]) ? ` (${short(ci[0])}-${short(ci[1])})` : "") : "-");
  function pm(mean, ci, games) {
    if (!fin(mean)) return "-";
    const s = (mean >= 0 ? "+" : "") + mean.toFixed(2);
    if (!ci || !fin(ci[0]) || !fin(ci[1])) return s;
    if (ci[0] === ci[1]) return s + (games === 1 ? " one game" : " all equal");
    return `${s} \u00b1${((ci[1] - ci[0]) / 2).toFixed(2)}`;
  }
  const pval = (p) => (!fin(p) ? "-" : p < 1e-4 ? "<1e-4" : p.toFixed(4));
  function eloCell(a) {
    if (!fin(a.elo)) return "-";
    if (a.elo_separated) {
      const b = a.elo_bound || [null, null];
      if (fin(b[0])) return `> ${b[0].toFixed(0)} separated`;
      if (fin(b[1])) return `< ${b[1].toFixed(0)} separated`;
      return "separated";
    }
    const ci = a.elo_ci;
    return ci && fin(ci[0]) && fin(ci[1]) ? `${a.elo.toFixed(0)} (${ci[0].toFixed(0)}-${ci[1].toFixed(0)})` : a.elo.toFixed(0);
  }
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src; s.onload = resolve;
      s.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(s);
    });
  }
  const byPayoff = S.ranked_by === "mean payoff";
  const names = M.names || S.agents.map((a) => a.name);

  // -- a sortable table ------------------------------------------------------------------
  // cols: {label, cls, value(row) -> sort key (number or string), cell(row) -> string|Node}
  function sortableTable(cols, rows, id) {
    const table = el("table", { id });
    const head = el("tr");
    const body = el("tbody");
    let order = rows.slice();
    const fill = () => {
      body.textContent = "";
      for (const r of order) {
        const tr = el("tr");
        for (const c of cols) {
          const v = c.cell(r);
          tr.appendChild(el("td", { cls: c.cls }, typeof v === "string" ? txt(v) : v));
        }
        body.appendChild(tr);
      }
    };
    cols.forEach((c, i) => {
      const th = el("th", { cls: (c.cls || "") + (c.value ? " sortable" : ""), text: c.label,
        title: c.title || null, scope: "col" });
      if (c.value) {
        th.tabIndex = 0;
        const sort = () => {
          const asc = th.getAttribute("aria-sort") !== "ascending";
          for (const o of head.children) o.removeAttribute("aria-sort");
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          const key = (r) => { const v = c.value(r); return v === null || v === undefined || (typeof v === "number" && !isFinite(v)) ? null : v; };
          order = rows.slice().sort((a, b) => {
            const x = key(a), y = key(b);
            if (x === null && y === null) return 0;
            if (x === null) return 1;
            if (y === null) return -1;
            const d = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
            return asc ? d : -d;
          });
          fill();
        };
        th.addEventListener("click", sort);
        th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
      }
      head.appendChild(th);
    });
    table.appendChild(el("thead", null, head));
    table.appendChild(body);
    fill();
    return el("div", { cls: "scroll" }, table);
  }
  const agentLink = (name) => el("a", { href: "games.html#agent=" + encodeURIComponent(name), text: name });

  // -- index -----------------------------------------------------------------------------
  function indexPage() {
    const notes = S.notes || {};
    main.appendChild(el("p", { cls: "sub", text:
      `${S.games} games of ${S.game}${S.rules ? " (" + S.rules + " rules)" : ""}, ` +
      `${notes.format || ""}, seats ${notes.seats || ""}; ranked by ${S.ranked_by || "Elo"}.` +
      (M.stopped ? ` Stopped early: ${M.stopped}.` : "") }));
    leaderboard();
    charts();
    pairs();
    extras();
    reproduce();
  }

  function leaderboard() {
    const s = section("Leaderboard",
      (byPayoff ? "Ranked by mean payoff; Elo counts who finished ahead, not chips. " : "") +
      "Click a column to sort; click an agent for its games. Intervals are 95%: Wilson for " +
      "win rates, cluster-robust t over card deals for payoff, bootstrap of card deals for Elo and rank.");
    const metrics = (S.metrics || []).map((m) => m.name);
    const llm = S.agents.some((a) => a.agent_stats && a.agent_stats.decisions);
    const cols = [
      { label: "#", value: (r) => r.i, cell: (r) => String(r.i) },
      { label: "agent", cls: "name", value: (r) => r.a.name, cell: (r) => agentLink(r.a.name) },
      { label: "family", cls: "name", value: (r) => r.a.family || "", cell: (r) => r.a.family || "" },
      { label: "games", value: (r) => r.a.games, cell: (r) => String(r.a.games) },
      { label: "win rate (95% CI)", value: (r) => r.a.win_rate, cell: (r) => rate(r.a.win_rate, r.a.win_ci) },
      { label: "payoff \u00b195% CI", value: (r) => r.a.payoff, cell: (r) => pm(r.a.payoff, r.a.payoff_ci, r.a.games) },
      { label: byPayoff ? "Elo by wins (95% CI)" : "Elo (95% CI)", value: (r) => r.a.elo, cell: (r) => eloCell(r.a) },
      { label: "rank", value: (r) => (r.a.rank_ci ? r.a.rank_ci[0] : null),
        cell: (r) => (r.a.rank_ci && fin(r.a.rank_ci[0]) ? (r.a.rank_ci[0] === r.a.rank_ci[1] ? String(r.a.rank_ci[0]) : `${r.a.rank_ci[0]}-${r.a.rank_ci[1]}`) : "-") },
      { label: "openskill", value: (r) => (r.a.openskill || {}).ordinal, cell: (r) => num((r.a.openskill || {}).ordinal, 2) },
      { label: "illegal", value: (r) => r.a.illegal, cell: (r) => String(r.a.illegal) },
      { label: "errors", value: (r) => r.a.errors, cell: (r) => String(r.a.errors) },
      { label: "forfeits", value: (r) => r.a.forfeits, cell: (r) => String(r.a.forfeits ?? "-") },
    ];
    for (const m of metrics) cols.push({ label: m.replace(/_per_/g, "/").replace(/_/g, " "),
      value: (r) => r.a.metrics[m], cell: (r) => num(r.a.metrics[m]) });
    if (llm) {
      const st = (r) => r.a.agent_stats || {};
      cols.push(
        { label: "LLM decisions", value: (r) => st(r).decisions, cell: (r) => String(st(r).decisions ?? "") },
        { label: "invalid", value: (r) => st(r).invalid_rate, cell: (r) => num(st(r).invalid_rate) },
        { label: "fallback", value: (r) => st(r).fallback_rate, cell: (r) => num(st(r).fallback_rate) },
        { label: "tokens in/out", value: (r) => st(r).tokens_in, cell: (r) => (st(r).decisions ? `${st(r).tokens_in}/${st(r).tokens_out}` : "") },
        { label: "cost $", value: (r) => st(r).cost_usd, cell: (r) => (fin(st(r).cost_usd) ? st(r).cost_usd.toFixed(4) : "") },
        { label: "ms mean/p95", value: (r) => st(r).latency_ms_mean, cell: (r) => (st(r).decisions ? `${num(st(r).latency_ms_mean, 1)}/${num(st(r).latency_ms_p95, 1)}` : "") });
    }
    s.appendChild(sortableTable(cols, S.agents.map((a, i) => ({ a, i: i + 1 })), "leaderboard"));
    if (S.agents.some((a) => a.elo_separated))
      s.appendChild(el("p", { cls: "sub", text: "separated: never lost (or never won) against the rest, so its Elo is set by the prior's virtual draws; the bound shown is one-sided 95%." }));
    if (S.llm) {
      const l = S.llm;
      s.appendChild(el("p", { cls: "sub", text: `LLM use: ${l.tokens} tokens` + (l.max_tokens ? ` of a budget of ${l.max_tokens}` : "") +
        (fin(l.cost_usd) ? `, $${l.cost_usd.toFixed(4)}` : ", cost unknown") + (l.stopped ? `; stopped: ${l.stopped}` : "") }));
    }
    const t = S.timing || [];
    if (t.length) {
      const d = el("details", null, el("summary", { text: "Decision times (wall clock, vary between runs)" }));
      d.appendChild(sortableTable([
        { label: "agent", cls: "name", value: (r) => r.name, cell: (r) => r.name },
        { label: "decisions", value: (r) => r.decisions, cell: (r) => String(r.decisions) },
        { label: "ms per decision", value: (r) => r.ms_per_decision, cell: (r) => num(r.ms_per_decision, 4) },
        { label: "p95 ms", value: (r) => r.p95_ms, cell: (r) => num(r.p95_ms, 4) },
        { label: "slowest ms", value: (r) => r.max_ms, cell: (r) => num(r.max_ms, 2) }], t, "timing"));
      s.appendChild(d);
    }
  }

  function chartBox(parent, id) {
    const d = el("div", { id, cls: "chart" });
    parent.appendChild(d);
    return d;
  }
  // Charts are drawn once every box is in the grid, so each takes its own box's width
  // (drawn earlier, the first would take the whole row); responsive: they follow resizes.
  let queued = [];
  function plot(div, traces, layout, cfg) {
    layout.autosize = true;
    queued.push(() => Plotly.newPlot(div, traces, layout, cfg));
  }
  function charts() {
    if (!window.Plotly) {
      section("Charts").appendChild(el("p", { cls: "note", text: "The charting library (assets/plotly.min.js) did not load." }));
      return;
    }
    const s = section("Charts", "Hover for values; drag to zoom, double-click to reset.");
    const box = el("div", { cls: "charts" });
    s.appendChild(box);
    const cfg = { displaylogo: false, responsive: true };
    const layout = (title, extra) => Object.assign({ title: { text: plEsc(title), font: { size: 14 } },
      margin: { l: 120, r: 20, t: 40, b: 50 }, font: { size: 12 } }, extra || {});
    // Elo with intervals; separated agents hollow with their bound.
    const ag = S.agents.filter((a) => fin(a.elo)).slice().reverse();
    if (ag.length) {
      const placed = ag.filter((a) => !a.elo_separated), sep = ag.filter((a) => a.elo_separated);
      const ci = (a) => (a.elo_ci && fin(a.elo_ci[0]) ? a.elo_ci : [a.elo, a.elo]);
      const traces = [{ type: "scatter", mode: "markers", name: "Elo (95% CI)",
        x: placed.map((a) => a.elo), y: placed.map((a) => plEsc(a.name)),
        error_x: { type: "data", symmetric: false, array: placed.map((a) => Math.max(0, ci(a)[1] - a.elo)),
          arrayminus: placed.map((a) => Math.max(0, a.elo - ci(a)[0])) },
        hovertemplate: "%{y}: %{x:.0f}<extra></extra>", marker: { size: 9 } }];
      if (sep.length) traces.push({ type: "scatter", mode: "markers", name: "separated (set by the prior)",
        x: sep.map((a) => a.elo), y: sep.map((a) => plEsc(a.name)),
        marker: { size: 10, symbol: "circle-open", color: "#cf222e" } });
      plot(chartBox(box, "chart-elo"), traces, layout(byPayoff ? "Bradley-Terry Elo by wins (95% bootstrap CI)" : "Bradley-Terry Elo (95% bootstrap CI over card deals)",
        { yaxis: { type: "category", automargin: true, categoryorder: "array", categoryarray: ag.map((a) => plEsc(a.name)) },
          xaxis: { title: { text: "Elo" } }, showlegend: sep.length > 0, legend: { orientation: "h", y: -0.25 },
          shapes: [{ type: "line", x0: 1500, x1: 1500, yref: "paper", y0: 0, y1: 1, line: { dash: "dash", color: "#999", width: 1 } }] }), cfg);
    }
    // Head to head.
    const h = S.head_to_head || {}, nm = S.agents.map((a) => a.name);
    if (nm.length) {
      const z = nm.map((a) => nm.map((b) => (h[a] && fin(h[a][b]) ? h[a][b] : null)));
      plot(chartBox(box, "chart-h2h"), [{ type: "heatmap", z, x: nm.map(plEsc), y: nm.map(plEsc),
        zmin: 0, zmax: 1, colorscale: "RdBu", reversescale: false, text: z.map((r) => r.map((v) => (v === null ? "" : v.toFixed(2)))),
        texttemplate: "%{text}", hovertemplate: "%{y} vs %{x}: %{z:.3f}<extra></extra>", colorbar: { title: { text: "score" } } }],
      layout("Head to head: score of row against column", { yaxis: { autorange: "reversed", type: "category", automargin: true }, xaxis: { type: "category", automargin: true } }), cfg);
    }
    // Win rate by seat.
    const seats = (S.seats || {}).seats || [];
    if (seats.length) {
      const tr = [{ type: "bar", name: "all agents", x: seats.map((x) => "seat " + x.seat), y: seats.map((x) => x.win_rate),
        error_y: { type: "data", symmetric: false, array: seats.map((x) => x.win_ci[1] - x.win_rate), arrayminus: seats.map((x) => x.win_rate - x.win_ci[0]) },
        marker: { color: "#7aa6c2" } }];
      for (const a of S.agents) {
        const ws = a.win_rate_by_seat || [];
        if (ws.some(fin)) tr.push({ type: "scatter", mode: "lines+markers", name: plEsc(a.name),
          x: ws.map((_, k) => "seat " + k), y: ws.map((v) => (fin(v) ? v : null)) });
      }
      const p = S.seats.p;
      plot(chartBox(box, "chart-seats"), tr, layout("Win rate by seat" + (fin(p) ? ` (chi-square p = ${p.toPrecision(3)})` : ""),
        { yaxis: { title: { text: "win rate" }, rangemode: "tozero" }, margin: { l: 60, r: 20, t: 40, b: 50 } }), cfg);
    }
    // Roles and teams.
    const rows = [].concat((S.teams || []).map((r) => ({ k: "team " + r.team, r })), (S.roles || []).map((r) => ({ k: r.role, r })));
    if (rows.length) {
      const tr = [{ type: "bar", name: "all", x: rows.map((x) => plEsc(x.k)), y: rows.map((x) => x.r.win_rate),
        error_y: { type: "data", symmetric: false, array: rows.map((x) => x.r.win_ci[1] - x.r.win_rate), arrayminus: rows.map((x) => x.r.win_rate - x.r.win_ci[0]) } }];
      const byAgent = {};
      for (const r of S.agent_roles || []) (byAgent[r.agent] = byAgent[r.agent] || {})[r.role] = r.win_rate;
      for (const [agent, roles] of Object.entries(byAgent))
        tr.push({ type: "bar", name: plEsc(agent), x: rows.map((x) => plEsc(x.k)), y: rows.map((x) => (x.r.role in roles ? roles[x.r.role] : null)) });
      plot(chartBox(box, "chart-roles"), tr, layout("Win rate by team and role", { barmode: "group", yaxis: { title: { text: "win rate" } }, margin: { l: 60, r: 20, t: 40, b: 60 } }), cfg);
    }
    for (const draw of queued) draw();
    queued = [];
  }

  function pairs() {
    const P = S.pairs || [];
    if (!P.length) return;
    const payoff = P[0].score === "payoff";
    const s = section("Pairs: the verdict",
      `Difference in ${payoff ? "payoff" : "win share"} (a - b) per card deal; the paired test over card deals ` +
      `(${S.adjust || "holm"}-adjusted over all ${P.length} pairs) is the verdict. Welch's per-game p is shown for reference only: ` +
      "it treats games as independent and rejects too often.");
    const d = payoff ? 2 : 3;
    const verdict = (p) => (p.significant_paired ? (p.diff > 0 ? `${p.a} better` : `${p.b} better`) : "no difference shown");
    s.appendChild(sortableTable([
      { label: "a", cls: "name", value: (p) => p.a, cell: (p) => agentLink(p.a) },
      { label: "b", cls: "name", value: (p) => p.b, cell: (p) => agentLink(p.b) },
      { label: "deals", value: (p) => p.deals, cell: (p) => String(p.deals) },
      { label: "games", value: (p) => p.games, cell: (p) => String(p.games) },
      { label: payoff ? "payoff a" : "win a", value: (p) => (payoff ? p.payoff_a : p.win_a), cell: (p) => num(payoff ? p.payoff_a : p.win_a, d) },
      { label: payoff ? "payoff b" : "win b", value: (p) => (payoff ? p.payoff_b : p.win_b), cell: (p) => num(payoff ? p.payoff_b : p.win_b, d) },
      { label: "a-b \u00b195%", value: (p) => p.diff, cell: (p) => (fin(p.diff) ? (p.diff >= 0 ? "+" : "") + p.diff.toFixed(d) + (p.diff_ci && fin(p.diff_ci[0]) ? ` \u00b1${((p.diff_ci[1] - p.diff_ci[0]) / 2).toFixed(d)}` : "") : "-") },
      { label: "test", value: (p) => p.paired_test, cell: (p) => p.paired_test || "-" },
      { label: "p (paired)", value: (p) => p.p_paired, cell: (p) => pval(p.p_paired) },
      { label: "p adj", value: (p) => p.p_paired_adjusted, cell: (p) => pval(p.p_paired_adjusted) },
      { label: "verdict", cls: "name", value: (p) => (p.significant_paired ? 0 : 1), cell: (p) => el("span", { cls: p.significant_paired ? "sig" : "muted", text: verdict(p) }) },
      { label: "Welch p (not the verdict)", value: (p) => p.p, cell: (p) => el("span", { cls: "muted", text: pval(p.p) }) },
    ], P, "pairs"));
  }

  function extras() {
    // The tournament format's own notes (who advanced, an SPRT's verdict...), as sections of
    // text it wrote itself: this page knows no format. A line's label, if any, is in bold.
    for (const sec of A.sections || []) {
      const s = section(sec.title);
      (sec.lines || []).forEach((line, i) => {
        const label = (sec.labels || [])[i];
        s.appendChild(label && line.startsWith(label + ": ")
          ? el("p", null, el("b", { text: label + ": " }), txt(line.slice(label.length + 2)))
          : el("p", { text: line }));
      });
    }
    if ((S.roles || []).length || (S.teams || []).length) {
      const s = section("By team and role", "A seat's result is its team's.");
      const rows = [].concat((S.teams || []).map((r) => ({ k: "team " + r.team, a: "all", r })), (S.roles || []).map((r) => ({ k: r.role, a: "all", r })),
        (S.agent_roles || []).map((r) => ({ k: r.role, a: r.agent, r })));
      s.appendChild(sortableTable([
        { label: "team / role", cls: "name", value: (x) => x.k, cell: (x) => x.k },
        { label: "agent", cls: "name", value: (x) => x.a, cell: (x) => x.a },
        { label: "games", value: (x) => x.r.games, cell: (x) => String(x.r.games) },
        { label: "win rate (95% CI)", value: (x) => x.r.win_rate, cell: (x) => rate(x.r.win_rate, x.r.win_ci) }], rows, "roles"));
    }
  }

  function reproduce() {
    const s = section("Reproduce", "Same spec, same seed: the same games and the same statistics (timings aside).");
    const t = M.tournament || {};
    const kv = el("table", { cls: "kv" });
    const row = (k, v) => kv.appendChild(el("tr", null, el("td", { text: k }), el("td", { cls: "name" }, typeof v === "string" ? el("code", { text: v }) : v)));
    if (M.command) row("command of this run", M.command);
    if (M.again) row("from this report's copy of the spec", M.again);
    row("recompute this report", M.report_command || "");
    row("seed", String(t.seed ?? "-"));
    row("deals per table", String(t.deals ?? "-"));
    row("game, rules", `${S.game}${S.rules ? " (" + S.rules + ")" : ""}`);
    row("rule settings", JSON.stringify(S.settings || {}));
    row("versions", JSON.stringify(S.versions || {}));
    row("bootstrap resamples", String(S.bootstrap ?? "-"));
    if (M.created) row("store created", M.created);
    row("games with step-by-step replays", `${M.views} of ${M.games}`);
    s.appendChild(el("div", { cls: "scroll" }, kv));
    if (M.spec_source) {
      s.appendChild(el("h3", { text: "Spec (spec.toml)" }));
      s.appendChild(el("pre", { text: M.spec_source }));
    }
    s.appendChild(el("details", null, el("summary", { text: "Agents: specs and settings" }),
      el("pre", { text: S.agents.map((a) => `${a.name}: ${a.spec}${a.settings ? " " + JSON.stringify(a.settings) : ""}`).join("\n") })));
  }

  // -- the games list --------------------------------------------------------------------
  const lists = [];
  window.arenaList = (k, rows) => { lists[k] = rows; };
  const details = {};
  window.arenaDetail = (k, rows) => { details[k] = rows; };
  const views = {};
  window.arenaViews = (i, blob) => { views[i] = blob; };

  function parseHash() {
    const out = {};
    for (const part of location.hash.replace(/^#/, "").split("&")) {
      if (!part) continue;
      const [k, v] = part.split("=");
      out[decodeURIComponent(k)] = v === undefined ? "" : decodeURIComponent(v);
    }
    return out;
  }

  async function gamesPage() {
    const status = el("p", { cls: "sub", text: `Loading ${M.games} games...` });
    main.appendChild(status);
    const chunks = Math.ceil(M.games / M.list_chunk);
    for (let k = 0; k < chunks; k++) {
      await loadScript(`games/l-${k}.js`);
      status.textContent = `Loading games: ${Math.min((k + 1) * M.list_chunk, M.games)} of ${M.games}`;
    }
    const all = [].concat(...lists);
    const h = parseHash();
    const nSeats = all.reduce((m, g) => Math.max(m, g[2].length), 0);
    const sel = (id, label, opts, value) => {
      const s = el("select", { id });
      for (const [v, t] of opts) s.appendChild(el("option", { value: v, text: t }));
      if (value !== undefined) s.value = value;
      return el("label", null, label, s);
    };
    const agentOpts = [["", "any agent"]].concat(names.map((n, i) => [String(i), n]));
    const ai = h.agent !== undefined ? names.indexOf(h.agent) : -1;
    const filters = el("div", { cls: "filters" },
      sel("f-agent", "agent", agentOpts, ai >= 0 ? String(ai) : ""),
      sel("f-seat", "in seat", [["", "any seat"]].concat([...Array(nSeats).keys()].map((s) => [String(s), "seat " + s])), h.seat || ""),
      sel("f-outcome", "outcome (of the agent, if one is chosen)", [["", "any"], ["win", "won"], ["loss", "did not win"], ["forfeit", "forfeit"], ["error", "with an error"], ["illegal", "with an illegal move"], ["views", "with step views"]], h.outcome || ""),
      sel("f-stage", "stage", [["", "any stage"]].concat((M.stages || []).map((s, i) => [String(i), s])), h.stage || ""));
    main.appendChild(filters);
    if (!M.replays_all) main.appendChild(el("p", { cls: "note", text: `Step-by-step views were written for ${M.views} of ${M.games} games (spread over the schedule); every game has its page with its result. To write them for all: ` }, el("code", { text: M.report_command })));
    const pager = el("div", { cls: "pager" });
    const table = el("div", { cls: "scroll" });
    main.appendChild(pager); main.appendChild(table);
    let page = 0, shown = [];
    const PER = 50;
    function apply() {
      const a = document.getElementById("f-agent").value, seat = document.getElementById("f-seat").value;
      const oc = document.getElementById("f-outcome").value, st = document.getElementById("f-stage").value;
      const A_ = a === "" ? -1 : +a, S_ = seat === "" ? -1 : +seat, T_ = st === "" ? -1 : +st;
      shown = [];
      for (let i = 0; i < all.length; i++) {
        const g = all[i];
        if (T_ >= 0 && g[1] !== T_) continue;
        let seats = [];
        for (let s = 0; s < g[2].length; s++) if ((A_ < 0 || g[2][s] === A_) && (S_ < 0 || s === S_)) seats.push(s);
        if (!seats.length) continue;
        if (oc === "win" && !seats.some((s) => g[3][s] === 0)) continue;
        if (oc === "loss" && !seats.some((s) => g[3][s] !== 0)) continue;
        if (oc === "forfeit" && !(g[5] & 2)) continue;
        if (oc === "error" && !(g[5] & 1)) continue;
        if (oc === "illegal" && !(g[5] & 8)) continue;
        if (oc === "views" && !(g[5] & 4)) continue;
        shown.push(i);
      }
      page = 0;
      const q = [];
      if (a !== "") q.push("agent=" + encodeURIComponent(names[A_]));
      if (seat !== "") q.push("seat=" + seat);
      if (oc) q.push("outcome=" + oc);
      if (st !== "") q.push("stage=" + st);
      history.replaceState(null, "", "#" + q.join("&"));
      render();
    }
    function render() {
      status.textContent = `${shown.length} of ${all.length} games`;
      pager.textContent = "";
      const pages = Math.max(1, Math.ceil(shown.length / PER));
      pager.appendChild(el("button", { id: "prev-page", text: "\u25C0", "aria-label": "previous page", disabled: page === 0 ? "" : null, onclick: () => { page--; render(); } }));
      pager.appendChild(el("span", { text: `page ${page + 1} of ${pages}` }));
      pager.appendChild(el("button", { id: "next-page", text: "\u25B6", "aria-label": "next page", disabled: page >= pages - 1 ? "" : null, onclick: () => { page++; render(); } }));
      const t = el("table", { id: "games" });
      const hr = el("tr", null, el("th", { text: "#" }), el("th", { cls: "name", text: "game" }));
      for (let s = 0; s < nSeats; s++) hr.appendChild(el("th", { cls: "name", text: "seat " + s }));
      hr.appendChild(el("th", { text: "returns" }));
      hr.appendChild(el("th", { cls: "name", text: "notes" }));
      t.appendChild(el("thead", null, hr));
      const body = el("tbody");
      for (const i of shown.slice(page * PER, page * PER + PER)) {
        const g = all[i];
        const tr = el("tr", null, el("td", { text: String(i) }), el("td", { cls: "name" }, el("a", { href: "replay.html#" + i, text: g[0] })));
        for (let s = 0; s < nSeats; s++) {
          const k = g[2][s];
          tr.appendChild(el("td", { cls: "name" + (g[3][s] === 0 ? " win" : "") }, k === undefined ? "" : `${names[k]} (${g[3][s] + 1})`));
        }
        tr.appendChild(el("td", { text: g[4].map((x) => num(x, 2)).join(" ") }));
        const notes = [];
        if (g[5] & 2) notes.push("forfeit");
        if (g[5] & 1) notes.push("error");
        if (g[5] & 8) notes.push("illegal move");
        if (g[5] & 4) notes.push("step views");
        tr.appendChild(el("td", { cls: "name muted", text: notes.join(", ") }));
        body.appendChild(tr);
      }
      t.appendChild(body);
      table.textContent = "";
      table.appendChild(t);
    }
    for (const id of ["f-agent", "f-seat", "f-outcome", "f-stage"]) document.getElementById(id).addEventListener("change", apply);
    apply();
  }

  // -- the replay viewer -----------------------------------------------------------------
  async function inflate(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  const SUIT = { s: "\u2660", h: "\u2665", d: "\u2666", c: "\u2663" };
  const RED = /[\u2665\u2666hd]$/;
  function cardSpan(tok) {
    if (/^(10|[2-9TJQKA])$/.test(tok)) tok += " ";  // a rank alone (Kuhn poker)
    let rank = tok.slice(0, -1), suit = tok.slice(-1).trim();
    if (rank === "T") rank = "10";
    const label = rank + (SUIT[suit] || suit);
    return el("span", { cls: "card" + (RED.test(tok) ? " red" : ""), title: label, text: label });
  }
  // Decorate one line of a game's own text: cards look like cards, chips like chips.
  function decorate(line, game) {
    const frag = document.createDocumentFragment();
    const poker = /poker|holdem/.test(game);
    const kuhn = /^(\s*Your card: )([JQK])\s*$/.exec(line);
    if (kuhn) { frag.appendChild(txt(kuhn[1])); frag.appendChild(cardSpan(kuhn[2])); return frag; }
    const re = poker ? /(^|[\s(:,])((?:10|[2-9TJQKA])[shdc\u2660\u2665\u2666\u2663])(?=$|[\s),.;])|(Pot: |\b)(\d+)(?=( in the pot|$))/g
      : /(^|[\s(:,])((?:10|[2-9JQKA])[\u2660\u2665\u2666\u2663])(?=$|[\s),.;])/g;
    let last = 0, m;
    while ((m = re.exec(line))) {
      if (m[2]) {
        frag.appendChild(txt(line.slice(last, m.index) + m[1]));
        frag.appendChild(cardSpan(m[2]));
      } else if (m[4] && (m[3] === "Pot: " || m[5])) {
        frag.appendChild(txt(line.slice(last, m.index) + (m[3] || "")));
        frag.appendChild(el("span", { cls: "chip", "aria-hidden": "true" }));
        frag.appendChild(txt(m[4]));
      } else continue;
      last = re.lastIndex;
    }
    frag.appendChild(txt(line.slice(last)));
    return frag;
  }
  // Board rows: Connect Four ("| . x o |" or ".xo...."), Go ("9 O . X 9" or " 9 OO+X").
  function boardRow(line, game) {
    let m;
    if (/connect_four/.test(game)) {
      if ((m = /^\| ((?:[.xo] )*[.xo]) \|$/.exec(line))) return { kind: "c4", cells: m[1].split(" ") };
      if ((m = /^([.xo]{4,})$/.exec(line))) return { kind: "c4", cells: m[1].split("") };
    }
    if (/go/.test(game)) {
      if ((m = /^\s*\d+ ((?:[.XO] )*[.XO]) \d+$/.exec(line))) return { kind: "go", cells: m[1].split(" ") };
      if ((m = /^\s*\d+ ([+XO]{5,})$/.exec(line))) return { kind: "go", cells: m[1].split("").map((c) => (c === "+" ? "." : c)) };
    }
    return null;
  }
  function renderView(text, game) {
    const box = el("div", { cls: "view", id: "view" });
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const r = boardRow(lines[i], game);
      if (r) {
        const rows = [];
        while (i < lines.length) {
          const x = boardRow(lines[i], game);
          if (!x || x.kind !== r.kind) break;
          rows.push(x.cells); i++;
        }
        i--;
        const b = el("div", { cls: "board " + r.kind, role: "img", "aria-label": rows.map((x) => x.join("")).join("/") });
        b.style.gridTemplateColumns = `repeat(${rows[0].length}, auto)`;
        for (const row of rows) for (const c of row) b.appendChild(el("div", { cls: "cell " + (c === "." ? "" : c) }));
        box.appendChild(b);
        box.appendChild(txt("\n"));
        continue;
      }
      box.appendChild(decorate(lines[i], game));
      box.appendChild(txt("\n"));
    }
    return box;
  }

  async function replayPage() {
    const h = location.hash.replace(/^#/, "").split("/");
    const idx = parseInt(h[0], 10);
    if (!(idx >= 0 && idx < M.games)) {
      main.appendChild(el("p", { cls: "note", text: "No game chosen: pick one on the " }, el("a", { href: "games.html", text: "games page" }), txt(".")));
      return;
    }
    const chunk = Math.floor(idx / M.detail_chunk);
    try { await loadScript(`games/d-${chunk}.js`); } catch (e) { main.appendChild(el("p", { cls: "err", text: String(e) })); return; }
    // A detail: [stage, seed, deal seed, has step views, the stored record].
    const [stage, seed, dealSeed, hasViews, r] = details[chunk][idx - chunk * M.detail_chunk];
    const lat = (st) => {
      if (!st) return st;
      const o = Object.assign({}, st), l = o.latency_ms;
      if (Array.isArray(l)) { delete o.latency_ms; if (l.length) { o.requests = l.length; o.latency_ms_mean = +(l.reduce((a, b) => a + b, 0) / l.length).toFixed(1); } }
      return o;
    };
    const g = { id: r.job_id, stage, seed, deal_seed: dealSeed, agents: r.agents, labels: r.labels,
      ranks: r.ranks, returns: r.returns, shares: r.win_shares, decisions: r.decisions,
      think_ms: r.think_ns.map((x) => x / 1e6), max_ms: r.max_think_ns.map((x) => x / 1e6),
      illegal: r.illegal, errors: r.errors, forfeit: r.forfeit, texts: r.texts || [], roles: r.roles,
      teams: r.teams, team: r.team, metrics: r.metrics, agent_stats: (r.agent_stats || []).map(lat), views: !!hasViews };
    const game = S.game || "";
    document.title = `${g.id} - replay`;
    const nav = el("div", { cls: "pager" },
      el("a", { href: "replay.html#" + (idx - 1), text: "\u25C0 previous game", id: "prev-game", style: idx > 0 ? null : "visibility:hidden" }),
      el("a", { href: "games.html", text: "all games" }),
      el("a", { href: "replay.html#" + (idx + 1), text: "next game \u25B6", id: "next-game", style: idx + 1 < M.games ? null : "visibility:hidden" }));
    main.appendChild(nav);
    main.appendChild(el("h2", { id: "game-id", text: `Game ${idx}: ${g.id}` }));
    main.appendChild(el("p", { cls: "sub", text: `stage ${g.stage}; deal seed ${g.seed} (the game's generator: ${g.deal_seed})` +
      (g.team ? `; team ${g.team} won` : "") + (g.forfeit !== null && g.forfeit !== undefined ? `; seat ${g.forfeit} forfeited` : "") }));
    // Result table.
    const n = g.labels.length;
    const res = el("table", { id: "result" });
    const hr = el("tr", null, el("th", { text: "seat" }), el("th", { cls: "name", text: "agent" }));
    if (g.roles) hr.appendChild(el("th", { cls: "name", text: "role" }));
    if (g.teams) hr.appendChild(el("th", { cls: "name", text: "team" }));
    for (const k of ["rank", "return", "win share", "decisions", "mean ms", "slowest ms", "illegal"]) hr.appendChild(el("th", { text: k }));
    res.appendChild(el("thead", null, hr));
    const rb = el("tbody");
    for (let s = 0; s < n; s++) {
      const tr = el("tr", null, el("td", { text: String(s) }), el("td", { cls: "name" + (g.ranks[s] === 0 ? " win" : "") }, agentLink(g.labels[s])));
      if (g.roles) tr.appendChild(el("td", { cls: "name", text: g.roles[s] }));
      if (g.teams) tr.appendChild(el("td", { cls: "name", text: g.teams[s] }));
      for (const v of [String(g.ranks[s] + 1), num(g.returns[s], 3), num(g.shares[s], 3), String(g.decisions[s]),
        g.decisions[s] ? num(g.think_ms[s] / g.decisions[s], 3) : "-", num(g.max_ms[s], 2), String(g.illegal[s])]) tr.appendChild(el("td", { text: v }));
      rb.appendChild(tr);
    }
    res.appendChild(rb);
    main.appendChild(el("div", { cls: "scroll" }, res));
    for (const e of g.errors || []) {
      main.appendChild(el("div", { cls: "err" }, el("b", { text: `seat ${e.seat} (${e.agent}), move ${e.move}: ${e.type}: ` }), txt(e.message),
        e.where ? el("details", null, el("summary", { text: "where" }), el("pre", { text: e.where })) : null));
    }
    const stats = (g.agent_stats || []).map((st, s) => [s, st]).filter(([, st]) => st && Object.keys(st).length);
    if (stats.length) {
      const d = el("details", null, el("summary", { text: "Agents' own figures for this game (LLM tokens, invalid answers, latency)" }));
      for (const [s, st] of stats) d.appendChild(el("pre", { text: `seat ${s} (${g.labels[s]}): ${JSON.stringify(st, null, 1)}` }));
      main.appendChild(d);
    }
    if (g.metrics && Object.keys(g.metrics).length)
      main.appendChild(el("details", null, el("summary", { text: "Game metrics per seat" }), el("pre", { text: Object.entries(g.metrics).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n") })));
    if ((g.texts || []).length) {
      const d = el("details", { open: "" }, el("summary", { text: "What the agents said (free text attached to their statements)" }));
      const ul = el("ul");
      for (const [move, seat, text] of g.texts) ul.appendChild(el("li", null, el("b", { text: `move ${move + 1}, seat ${seat} (${g.labels[seat]}): ` }), txt(text)));
      d.appendChild(ul);
      main.appendChild(d);
    }
    // Steps.
    const s = section("Moves");
    if (!g.views) {
      s.appendChild(el("p", { cls: "note", text: "Step-by-step views of this game were not written into this report (it keeps them for a spread of games). To write them for every game: " }, el("code", { text: M.report_command })));
      return;
    }
    let data;
    try {
      await loadScript(`games/v-${idx}.js`);
      if (!window.DecompressionStream) throw new Error("this browser cannot inflate the replay (no DecompressionStream); use a current Chromium, Firefox or Safari");
      data = await inflate(views[idx]);
    } catch (e) { s.appendChild(el("p", { cls: "err", text: String(e) })); return; }
    if (data.error) { s.appendChild(el("p", { cls: "err", text: data.error })); return; }
    const steps = data.steps, moves = data.moves, last = steps.length - 1;
    let step = Math.min(last, Math.max(0, parseInt(h[1] || "0", 10) || 0));
    const viewSel = el("select", { id: "view-select", "aria-label": "whose view" });
    data.views.forEach((v, k) => viewSel.appendChild(el("option", { value: String(k), text: k < n ? `${v}: ${g.labels[k]}` : v })));
    viewSel.value = String(data.views.length - 1);
    const info = el("span", { id: "stepinfo" });
    const slider = el("input", { type: "range", min: "0", max: String(last), value: String(step), id: "step-slider", "aria-label": "step" });
    const btn = (id, label, aria, f) => el("button", { id, text: label, "aria-label": aria, title: aria, onclick: f });
    const controls = el("div", { cls: "controls" },
      btn("first", "|\u25C0", "first step (Home)", () => go(0)), btn("back", "\u25C0", "back one move (left arrow)", () => go(step - 1)),
      info, btn("forward", "\u25B6", "forward one move (right arrow)", () => go(step + 1)), btn("end", "\u25B6|", "last step (End)", () => go(last)),
      slider, el("label", null, "view ", viewSel));
    const lastMove = el("div", { id: "lastmove" });
    const viewBox = el("div");
    const list = el("ol", { cls: "moves", id: "moves" });
    list.appendChild(el("li", { "data-step": "0", text: "start" }));
    moves.forEach((mv, k) => {
      const li = el("li", { "data-step": String(k + 1) }, txt(`${k + 1}. ${mv[0] >= 0 ? `seat ${mv[0]} (${g.labels[mv[0]]})` : "chance"}: ${mv[1]}`));
      if (mv[3]) li.appendChild(el("span", { cls: "talk", text: `"${mv[3]}"` }));
      if (mv[4]) li.title = `reply: ${mv[4]}`;
      list.appendChild(li);
    });
    list.addEventListener("click", (e) => { const li = e.target.closest("li"); if (li) go(+li.dataset.step); });
    s.appendChild(el("p", { cls: "sub", text: "Buttons, the slider, or the arrow keys (left / right, Home / End) step through the game; pick a seat to see what it saw, or the full state. Decision times are per seat for the whole game (the table above)." }));
    s.appendChild(controls);
    s.appendChild(el("div", { cls: "replay" }, el("div", null, lastMove, viewBox), list));
    function draw() {
      const v = +viewSel.value;
      const text = steps[step][v].map((k) => data.lines[k]).join("\n");
      viewBox.textContent = "";
      viewBox.appendChild(renderView(text, game));
      info.textContent = `step ${step} of ${last}`;
      slider.value = String(step);
      lastMove.textContent = "";
      if (step > 0) {
        const mv = moves[step - 1];
        lastMove.appendChild(el("b", { text: "last move: " }));
        lastMove.appendChild(txt(`${mv[0] >= 0 ? `seat ${mv[0]} (${g.labels[mv[0]]})` : "chance"}: ${mv[1]}`));
        if (mv[3]) lastMove.appendChild(el("span", { cls: "talk", text: ` said "${mv[3]}"` }));
        if (mv[4]) lastMove.appendChild(el("div", { cls: "note", id: "note", text: `reply: ${mv[4]}` }));
      } else lastMove.appendChild(txt("before the first move"));
      document.getElementById("first").disabled = step === 0;
      document.getElementById("back").disabled = step === 0;
      document.getElementById("forward").disabled = step === last;
      document.getElementById("end").disabled = step === last;
      const cur = list.querySelector("li.current");
      if (cur) cur.classList.remove("current");
      const li = list.children[step];
      li.classList.add("current");
      const top = li.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - li.offsetHeight) list.scrollTop = top - list.clientHeight / 2;
      history.replaceState(null, "", `#${idx}/${step}`);
    }
    function go(k) { step = Math.min(last, Math.max(0, k)); draw(); }
    slider.addEventListener("input", () => go(+slider.value));
    viewSel.addEventListener("change", draw);
    document.addEventListener("keydown", (e) => {
      if (e.target && (e.target.tagName === "INPUT" && e.target.type !== "range" || e.target.tagName === "SELECT")) return;
      if (e.key === "ArrowRight") { e.preventDefault(); go(step + 1); }
      else if (e.key === "ArrowLeft") { e.preventDefault(); go(step - 1); }
      else if (e.key === "Home") { e.preventDefault(); go(0); }
      else if (e.key === "End") { e.preventDefault(); go(last); }
    });
    draw();
  }

  const page = document.body.dataset.page;
  window.addEventListener("hashchange", () => { if (page === "replay") location.reload(); });
  const run = page === "games" ? gamesPage : page === "replay" ? replayPage : indexPage;
  Promise.resolve(run()).then(() => { document.body.dataset.ready = "1"; },
    (e) => { main.appendChild(el("p", { cls: "err", text: String(e) })); document.body.dataset.ready = "error"; });
})();
