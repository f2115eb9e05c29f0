/* parley briefing: the timeline and network charts (d3, vendored), the one-file briefing's
 * section router, and its in-browser sentence search.
 *
 * Everything from an article reaches the page through textContent or an attribute, never
 * through innerHTML, so article text cannot become markup here. */
(function () {
  "use strict";

  var STATIC = document.body.getAttribute("data-mode") === "static";
  var KIND_ORDER = ["meeting", "visit", "statement", "decision", "attack"];
  var NODE_COLORS = { person: "#2f6fdb", country: "#1e8449", organization: "#d68910", bloc: "#8e44ad" };
  var drawn = {};

  function readData(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function clip(text, n) {
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  /* ------------------------------------------------------------------ timeline */

  function drawTimeline(box, entries) {
    var width = Math.max(box.clientWidth, 480);
    var kinds = KIND_ORDER.filter(function (k) { return entries.some(function (e) { return e.kind === k; }); });
    entries.forEach(function (e) { if (kinds.indexOf(e.kind) < 0) kinds.push(e.kind); });
    var dated = entries.filter(function (e) { return e.date; });
    var undated = entries.filter(function (e) { return !e.date; });
    var lane = 54, margin = { left: 78, right: 20 };
    var panels = [];
    if (dated.length) panels.push({ name: "calendar", entries: dated });
    if (undated.length) panels.push({ name: dated.length ? "undated, in report order" : "no dates: in report order", entries: undated });
    var panelHeight = kinds.length * lane + 44;
    var height = panels.length * panelHeight + 10;
    var svg = d3.select(box).append("svg").attr("width", width).attr("height", height)
      .attr("role", "img").attr("aria-label", "Timeline of " + entries.length + " events");
    box.appendChild(Object.assign(document.createElement("span"), { className: "hint", textContent: "scroll to zoom · drag to pan" }));
    var clipId = "timeline-clip";
    svg.append("defs").append("clipPath").attr("id", clipId).append("rect")
      .attr("x", margin.left).attr("y", 0).attr("width", width - margin.left - margin.right).attr("height", height);

    panels.forEach(function (panel, p) {
      var top = p * panelHeight + 24;
      var g = svg.append("g").attr("class", "panel");
      g.append("text").attr("x", 4).attr("y", top - 8).style("font-weight", "600").text(panel.name);
      kinds.forEach(function (k, i) {
        g.append("text").attr("x", 4).attr("y", top + i * lane + lane / 2 + 4).text(k);
        g.append("line").attr("x1", margin.left).attr("x2", width - margin.right)
          .attr("y1", top + (i + 1) * lane).attr("y2", top + (i + 1) * lane).attr("stroke", "#eef0f4");
      });
      var x;
      if (panel.name === "calendar") {
        var days = panel.entries.map(function (e) { return new Date(e.date + "T00:00:00Z"); })
          .concat(panel.entries.filter(function (e) { return e.end; }).map(function (e) { return new Date(e.end + "T00:00:00Z"); }));
        var lo = d3.min(days), hi = d3.max(days);
        x = d3.scaleUtc().domain([d3.utcDay.offset(lo, -2), d3.utcDay.offset(hi, 2)]).range([margin.left, width - margin.right]);
        panel.pos = function (e, scale) { return scale(new Date(e.date + "T00:00:00Z")); };
        panel.axis = g.append("g").attr("class", "axis").attr("transform", "translate(0," + (top + kinds.length * lane) + ")");
      } else {
        x = d3.scaleLinear().domain([-0.5, panel.entries.length - 0.5]).range([margin.left, width - margin.right]);
        panel.pos = function (e, scale) { return scale(panel.entries.indexOf(e)); };
      }
      panel.x = x;
      var layer = g.append("g").attr("clip-path", "url(#" + clipId + ")");
      var seen = {};
      panel.marks = layer.selectAll("a").data(panel.entries).join("a")
        .attr("href", function (e) { return e.href; })
        .attr("class", "mark");
      panel.marks.each(function (e) {  // three rows per kind, taken in turn, so neighbours' labels have room
        var n = seen[e.kind] = (seen[e.kind] || 0) + 1;
        e._row = e.kind + ((n - 1) % 3);
        e._y = top + kinds.indexOf(e.kind) * lane + lane / 2 + ((n - 1) % 3 - 1) * 15;
      });
      panel.marks.append("title").text(function (e) {
        return e.when + " · " + e.label + (e.status ? " · " + e.status : "") + " · " + e.sources + " source" + (e.sources === 1 ? "" : "s");
      });
      panel.marks.filter(function (e) { return e.date && e.end && e.end !== e.date; }).append("line")
        .attr("class", "range").attr("stroke", function (e) { return e.color; }).attr("stroke-width", 4)
        .attr("stroke-linecap", "round").attr("stroke-opacity", 0.45);
      panel.marks.append("circle").attr("r", function (e) { return 4 + Math.min(e.sources, 5) * 1.3; })
        .attr("fill", function (e) { return e.color; }).attr("fill-opacity", 0.85).attr("stroke", "#fff");
      panel.marks.append("text").attr("dy", "0.35em").text(function (e) { return clip(e.label, 42); });
    });

    function place(transform) {
      panels.forEach(function (panel) {
        var scale = transform.rescaleX(panel.x);
        if (panel.axis) panel.axis.call(d3.axisBottom(scale).ticks(Math.max(2, Math.floor(width / 110))));
        var rows = {};
        panel.marks.each(function (e) {
          e._x = panel.pos(e, scale);
          var mark = d3.select(this);
          mark.select("circle").attr("cx", e._x).attr("cy", e._y);
          if (e.end && e.date) {  // a span of days: a bar from its first to its last day
            mark.select("line.range").attr("x1", e._x).attr("x2", scale(new Date(e.end + "T00:00:00Z")))
              .attr("y1", e._y).attr("y2", e._y);
          }
          mark.select("text").attr("x", e._x + 10).attr("y", e._y);
          (rows[e._row] = rows[e._row] || []).push({ e: e, label: mark.select("text") });
        });
        Object.keys(rows).forEach(function (key) {  // a label shows only where it has room before the next mark
          var row = rows[key].sort(function (a, b) { return a.e._x - b.e._x; });
          row.forEach(function (m, i) {
            var room = (i + 1 < row.length ? row[i + 1].e._x : width - margin.right) - m.e._x;
            var needed = 16 + Math.min(m.e.label.length, 42) * 5.8;
            m.label.attr("visibility", room > needed && m.e._x >= margin.left ? "visible" : "hidden");
          });
        });
      });
    }
    var zoom = d3.zoom().scaleExtent([1, 40])
      .translateExtent([[margin.left, 0], [width - margin.right, height]])
      .extent([[margin.left, 0], [width - margin.right, height]])
      .on("zoom", function (event) { place(event.transform); });
    svg.call(zoom);
    place(d3.zoomIdentity);
  }

  /* ------------------------------------------------------------------ network */

  function drawNetwork(box, data) {
    if (!data.nodes.length) {
      box.appendChild(Object.assign(document.createElement("p"), { className: "empty", textContent: "No event names two or more participants." }));
      return;
    }
    var width = Math.max(box.clientWidth, 480);
    var height = Math.max(460, Math.min(760, 200 + data.nodes.length * 24));
    var nodes = data.nodes.map(function (n) { return Object.assign({}, n); });
    var links = data.links.map(function (l) { return Object.assign({}, l); });
    var radius = function (n) { return 6 + Math.sqrt(n.degree) * 3; };
    var simulation = d3.forceSimulation(nodes)
      .force("link", d3.forceLink(links).id(function (n) { return n.id; }).distance(170))
      .force("charge", d3.forceManyBody().strength(-900))
      .force("x", d3.forceX(width / 2).strength(0.06))
      .force("y", d3.forceY(height / 2).strength(0.09))
      .force("collide", d3.forceCollide(function (n) { return radius(n) + 30; }))
      .stop();
    for (var i = 0; i < 300; i++) simulation.tick();  // lay out before drawing: the same picture every time
    function inside(n) {
      n.x = Math.max(radius(n) + 4, Math.min(width - radius(n) - 4, n.x));
      n.y = Math.max(radius(n) + 4, Math.min(height - radius(n) - 16, n.y));
    }
    nodes.forEach(inside);
    var svg = d3.select(box).append("svg").attr("width", width).attr("height", height)
      .attr("role", "img").attr("aria-label", "Network of " + nodes.length + " actors");
    var edge = svg.append("g").attr("stroke", "#9aa3b5").attr("stroke-opacity", 0.7)
      .selectAll("line").data(links).join("line")
      .attr("stroke-width", function (l) { return Math.min(1 + l.weight * 1.5, 9); });
    edge.append("title").text(function (l) {
      return l.source.name + " — " + l.target.name + ": " + l.weight + " event" + (l.weight === 1 ? "" : "s");
    });
    var node = svg.append("g").selectAll("a").data(nodes).join("a")
      .attr("href", function (n) { return n.href; }).attr("class", "node")
      .attr("data-actor", function (n) { return n.id; });
    node.append("title").text(function (n) { return n.name + " (" + n.kind + "): " + n.degree + " shared event" + (n.degree === 1 ? "" : "s"); });
    node.append("circle").attr("r", radius).attr("fill", function (n) { return NODE_COLORS[n.kind] || "#555"; })
      .attr("stroke", "#fff").attr("stroke-width", 1.5);
    node.append("text").attr("dy", function (n) { return radius(n) + 12; }).attr("text-anchor", "middle")
      .text(function (n) { return clip(n.name, 28); });

    function redraw() {
      edge.attr("x1", function (l) { return l.source.x; }).attr("y1", function (l) { return l.source.y; })
        .attr("x2", function (l) { return l.target.x; }).attr("y2", function (l) { return l.target.y; });
      node.attr("transform", function (n) { return "translate(" + n.x + "," + n.y + ")"; });
    }
    node.call(d3.drag().clickDistance(4)
      .on("drag", function (event, n) { n.x = event.x; n.y = event.y; inside(n); redraw(); }));
    redraw();
  }

  function drawCharts() {
    [["timeline-chart", "timeline-data", drawTimeline], ["network-chart", "network-data", drawNetwork]].forEach(function (c) {
      var box = document.getElementById(c[0]);
      if (!box || drawn[c[0]] || box.clientWidth === 0) return;  // hidden: drawn when first shown
      drawn[c[0]] = true;
      c[2](box, readData(c[1]));
    });
  }

  /* ------------------------------------------------------------------ one-file briefing */

  var STOP = new Set(("a an and are as at be been but by for from had has have he her his i in into is it its " +
    "of on or that the their them they this to was were what when where which who whom why will with would " +
    "how did do does said says about after before over than then there these those").split(" "));

  function tokens(text) {
    return (text.toLowerCase().match(/[a-z0-9]+/g) || []).filter(function (w) { return !STOP.has(w); })
      .map(function (w) { return w.length > 3 && /s$/.test(w) && !/ss$/.test(w) ? w.slice(0, -1) : w; });
  }

  var index = null;
  function buildIndex() {
    var sentences = Array.prototype.slice.call(document.querySelectorAll(".article .s"));
    var docs = sentences.map(function (s) { return tokens(s.textContent); });
    var df = {};
    docs.forEach(function (t) { new Set(t).forEach(function (w) { df[w] = (df[w] || 0) + 1; }); });
    var avg = docs.reduce(function (a, t) { return a + t.length; }, 0) / Math.max(docs.length, 1);
    return { sentences: sentences, docs: docs, df: df, avg: avg };
  }

  function bm25(query) {  // Okapi BM25, k1 = 1.5, b = 0.75, over the sentences of every article
    index = index || buildIndex();
    var terms = Array.from(new Set(tokens(query))), n = index.docs.length, hits = [];
    index.docs.forEach(function (t, i) {
      var score = 0;
      terms.forEach(function (w) {
        var f = t.filter(function (x) { return x === w; }).length;
        if (!f) return;
        var idf = Math.log(1 + (n - index.df[w] + 0.5) / (index.df[w] + 0.5));
        score += idf * f * 2.5 / (f + 1.5 * (0.25 + 0.75 * t.length / index.avg));
      });
      if (score > 0) hits.push({ i: i, score: score });
    });
    return hits.sort(function (a, b) { return b.score - a.score || a.i - b.i; }).slice(0, 10);
  }

  function staticSearch(query) {
    var box = document.getElementById("static-results");
    box.textContent = "";
    var heading = box.appendChild(document.createElement("h3"));
    var hits = query.trim() ? bm25(query) : [];
    heading.textContent = hits.length ? "Best sentences for “" + query + "”" : "No sentence shares a word with “" + query + "”.";
    var list = box.appendChild(document.createElement("ol"));
    list.className = "answers";
    hits.forEach(function (hit) {
      var span = index.sentences[hit.i], section = span.closest("section.page");
      var item = list.appendChild(document.createElement("li"));
      item.appendChild(Object.assign(document.createElement("span"), { className: "sentence", textContent: span.textContent }));
      item.appendChild(document.createElement("br"));
      var cite = item.appendChild(Object.assign(document.createElement("a"), { className: "cite", href: "#" + span.id }));
      cite.textContent = section.querySelector("h2").textContent + " — " + section.querySelector("p.muted").textContent.split("·").slice(0, 2).join("·").trim();
    });
  }

  function route() {
    var home = document.body.getAttribute("data-home") || "view-overview";  // view-new in a `parley brief` file
    var id = decodeURIComponent(location.hash.slice(1)) || home;
    var target = document.getElementById(id);
    var page = target && target.closest("section.page") || document.getElementById(home);
    document.querySelectorAll("section.page.current").forEach(function (s) { s.classList.remove("current"); });
    page.classList.add("current");
    document.querySelectorAll("nav.views a").forEach(function (a) {
      a.classList.toggle("current", "view-" + a.getAttribute("data-view") === page.id);
    });
    drawCharts();
    if (target && target !== page) target.scrollIntoView({ block: "center" });
    else window.scrollTo(0, 0);
  }

  if (STATIC) {
    document.body.classList.add("routed");
    window.addEventListener("hashchange", route);
    document.getElementById("search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var query = document.getElementById("search-box").value;
      if (location.hash !== "#view-search") location.hash = "#view-search";
      staticSearch(query);
    });
    route();
  } else {
    drawCharts();
  }
})();
