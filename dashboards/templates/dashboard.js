/* The findings table of a weekly dashboard: filters, sorting and paging over the JSON embedded
   in #findings-data. Every value from the data is set with textContent or as a property that
   cannot run code (img.src only for our own data:image/jpeg thumbnails, a.href only for https
   links the builder already checked); nothing is ever parsed as HTML. */
(function () {
  "use strict";
  var startedAt = performance.now();
  var source = document.getElementById("findings-data");
  var tbody = document.getElementById("finding-rows");
  if (!source || !tbody) { return; }
  var data = JSON.parse(source.textContent);
  var C = {};
  data.cols.forEach(function (name, i) { C[name] = i; });
  var rows = data.rows;
  // repeated values are embedded once, in data.dicts; rows hold their index
  Object.keys(data.dicts || {}).forEach(function (name) {
    var at = C[name], table = data.dicts[name];
    if (at === undefined) { return; }
    for (var r = 0; r < rows.length; r++) { rows[r][at] = table[rows[r][at]]; }
  });
  var SEV = { critical: 0, high: 1, medium: 2, low: 3 };
  var STATUS = { open: 0, resolved: 1, dismissed: 2, cleared: 3 };
  var FIELDS = ["rule", "severity", "school", "account", "status", "review"];
  var THUMB_PREFIX = "data:image/jpeg;base64,";
  var collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });
  var controls = {};
  FIELDS.forEach(function (f) { controls[f] = document.getElementById("filter-" + f); });
  var search = document.getElementById("filter-q");
  var sizeSelect = document.getElementById("page-size");
  var countEl = document.getElementById("finding-count");
  var pageEl = document.getElementById("page-label");
  var prevBtn = document.getElementById("page-prev");
  var nextBtn = document.getElementById("page-next");
  var resetBtn = document.getElementById("filter-reset");
  var headers = document.querySelectorAll("#finding-table th[data-sort]");
  var state = { sort: "severity", dir: 1, page: 0, size: data.pageSize || 100 };
  var view = [];
  var haystack = null;

  function account(row) { return data.accounts[row[C.account]] || ["", "", "", "", ""]; }

  function value(row, field) {
    if (field === "account") { return account(row)[0]; }
    if (field === "review") { return row[C.disposition] || "unreviewed"; }
    return row[C[field]];
  }

  function rank(table, key) { return Object.prototype.hasOwnProperty.call(table, key) ?
    table[key] : 9; }

  function byPostedDesc(a, b) { return rows[b][C.posted] - rows[a][C.posted] || a - b; }

  var COMPARE = {
    severity: function (a, b) {
      return (rank(SEV, rows[a][C.severity]) - rank(SEV, rows[b][C.severity])) ||
        byPostedDesc(a, b);
    },
    rule: function (a, b) {
      return collator.compare(rows[a][C.rule], rows[b][C.rule]) || COMPARE.severity(a, b);
    },
    school: function (a, b) {
      return collator.compare(rows[a][C.school], rows[b][C.school]) || COMPARE.severity(a, b);
    },
    account: function (a, b) {
      return collator.compare(account(rows[a])[1], account(rows[b])[1]) || COMPARE.severity(a, b);
    },
    posted: function (a, b) { return rows[a][C.posted] - rows[b][C.posted] || a - b; },
    status: function (a, b) {
      return (rank(STATUS, rows[a][C.status]) - rank(STATUS, rows[b][C.status])) ||
        COMPARE.severity(a, b);
    }
  };

  function buildHaystack() {
    haystack = rows.map(function (r) {
      return [r[C.text], r[C.evidence], r[C.author], r[C.id], r[C.kind], r[C.clause],
              account(r)[1], r[C.note]].join("\n").toLowerCase();
    });
  }

  function apply(keepPage) {  // keepPage: stay on the current page (else back to page 1)
    var t0 = performance.now();
    var wanted = {};
    FIELDS.forEach(function (f) { wanted[f] = controls[f] ? controls[f].value : ""; });
    var q = search ? search.value.trim().toLowerCase() : "";
    if (q && !haystack) { buildHaystack(); }
    view = [];
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], ok = true;
      for (var k = 0; k < FIELDS.length && ok; k++) {
        var f = FIELDS[k];
        if (wanted[f] !== "" && String(value(row, f)) !== wanted[f]) { ok = false; }
      }
      if (ok && q && haystack[i].indexOf(q) === -1) { ok = false; }
      if (ok) { view.push(i); }
    }
    var cmp = COMPARE[state.sort] || COMPARE.severity;
    var dir = state.dir;
    view.sort(function (a, b) { return dir * cmp(a, b); });
    if (!keepPage) { state.page = 0; }
    render();
    saveHash();
    // how long filtering, sorting and drawing the page took (read by benchmarks/report.py)
    tbody.setAttribute("data-apply-ms", (performance.now() - t0).toFixed(1));
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null && text !== "") { node.textContent = String(text); }
    return node;
  }

  function badge(prefix, val, known) {
    return el("span", "badge " + (Object.prototype.hasOwnProperty.call(known, val) ?
      prefix + val : "light"), val);
  }

  function link(url, label) {
    if (typeof url !== "string" || url.indexOf("https://") !== 0) { return null; }
    var a = el("a", "", label);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // The post's text as text nodes, the spans the evidence quotes wrapped in <mark>.
  function markedText(node, text, marks) {
    var at = 0;
    (marks || []).forEach(function (m) {
      var start = m[0], end = Math.min(m[1], text.length);
      if (typeof start !== "number" || start < at || end <= start) { return; }
      if (start > at) { node.appendChild(document.createTextNode(text.slice(at, start))); }
      node.appendChild(el("mark", "", text.slice(start, end)));
      at = end;
    });
    if (at < text.length) { node.appendChild(document.createTextNode(text.slice(at))); }
  }

  function contentCell(row) {
    var td = el("td", "content");
    var media = row[C.media] || [];
    if (media.length) {
      var box = el("div", "thumbs");
      media.forEach(function (m) {
        var uri = m[0] ? data.thumbs[m[0]] : null;
        if (typeof uri === "string" && uri.indexOf(THUMB_PREFIX) === 0) {
          var fig = el("figure");
          var img = el("img");
          img.src = uri;
          img.alt = m[3] || (m[1] || "media");
          img.title = m[3] || "";
          img.loading = "lazy";
          fig.appendChild(img);
          if (m[1] && m[1] !== "photo") { fig.appendChild(el("figcaption", "", m[1])); }
          box.appendChild(fig);
        } else {
          var a = link(m[2], (m[1] || "media") + " ↗");
          box.appendChild(a || el("span", "badge light", (m[1] || "media") + " (not stored)"));
        }
      });
      td.appendChild(box);
    }
    var text = row[C.text];
    if (text) {
      var p = el("div", "ftext clamp");
      markedText(p, text, row[C.marks]);
      p.title = "Click to show all";
      p.addEventListener("click", function () { p.classList.toggle("clamp"); });
      td.appendChild(p);
    } else if (row[C.item_kind] === "account") {
      td.appendChild(el("div", "muted", "(about the account itself)"));
    } else {
      td.appendChild(el("div", "muted", "(no text)"));
    }
    if (row[C.author]) { td.appendChild(el("div", "small muted", "by " + row[C.author])); }
    return td;
  }

  function renderRow(i) {
    var row = rows[i];
    var tr = el("tr");
    var td = el("td");
    td.appendChild(badge("sev-", row[C.severity], SEV));
    tr.appendChild(td);

    td = el("td");
    td.appendChild(el("div", "", (data.ruleTitles && data.ruleTitles[row[C.rule]]) ||
      row[C.rule]));
    td.appendChild(el("div", "small muted", row[C.rule] + " · " + row[C.kind]));
    tr.appendChild(td);

    var acc = account(row);
    td = el("td");
    td.appendChild(el("div", "", acc[1]));
    td.appendChild(el("div", "small muted", [acc[2], acc[3].replace("_", " ")].filter(Boolean)
      .join(" · ")));
    td.appendChild(el("div", "small", row[C.school]));
    tr.appendChild(td);

    td = el("td");
    td.appendChild(el("div", "", row[C.posted_label]));
    td.appendChild(el("div", "small muted", row[C.item_kind]));
    if (row[C.item_state]) { td.appendChild(el("span", "badge warn", row[C.item_state])); }
    tr.appendChild(td);

    tr.appendChild(contentCell(row));
    td = el("td", "evidence small");
    var ev = el("div", "clamp", row[C.evidence]);
    ev.addEventListener("click", function () { ev.classList.toggle("clamp"); });
    td.appendChild(ev);
    tr.appendChild(td);

    td = el("td");
    var clause = data.clauses[row[C.clause]] || ["", ""];
    td.appendChild(el("div", "", row[C.clause]));
    if (clause[0]) { td.appendChild(el("div", "small muted", clause[0])); }
    if (clause[1]) {
      var q = el("div", "quote small clamp", "“" + clause[1] + "”");
      q.addEventListener("click", function () { q.classList.toggle("clamp"); });
      td.appendChild(q);
    }
    tr.appendChild(td);

    td = el("td");
    td.appendChild(badge("st-", row[C.status], STATUS));
    if (row[C.disposition]) {
      td.appendChild(el("div", "small", row[C.disposition].replace(/_/g, " ") +
        (row[C.reviewer] ? " · " + row[C.reviewer] : "") +
        (row[C.reviewed_at] ? " · " + row[C.reviewed_at] : "")));
      if (row[C.note]) { td.appendChild(el("div", "small muted", row[C.note])); }
      if (!row[C.review_current]) {
        td.appendChild(el("span", "badge warn", "content changed since review"));
      }
    } else {
      td.appendChild(el("div", "small muted", "not reviewed"));
    }
    var fid = el("div", "mono muted fid", row[C.id].slice(0, 12));
    fid.title = row[C.id] + " (socialaudit review takes these first characters too)";
    td.appendChild(fid);
    tr.appendChild(td);

    td = el("td");
    var a = link(row[C.url], "Open post ↗");
    td.appendChild(a || el("span", "small muted", "no link"));
    tr.appendChild(td);
    return tr;
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  function render() {
    var size = state.size;
    var pages = Math.max(1, Math.ceil(view.length / size));
    if (state.page >= pages) { state.page = pages - 1; }
    var first = state.page * size;
    var last = Math.min(view.length, first + size);
    var frag = document.createDocumentFragment();
    for (var i = first; i < last; i++) { frag.appendChild(renderRow(view[i])); }
    tbody.textContent = "";
    if (!view.length) {
      var tr = el("tr");
      var td = el("td", "empty", "No finding matches these filters.");
      td.colSpan = 9;
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    tbody.appendChild(frag);
    tbody.setAttribute("data-count", String(view.length));
    countEl.textContent = view.length ?
      "Showing " + fmt(first + 1) + "–" + fmt(last) + " of " + fmt(view.length) +
      " matching findings (" + fmt(rows.length) + " this week)" :
      "0 matching findings (" + fmt(rows.length) + " this week)";
    pageEl.textContent = "Page " + fmt(state.page + 1) + " of " + fmt(pages);
    prevBtn.disabled = state.page === 0;
    nextBtn.disabled = state.page >= pages - 1;
    Array.prototype.forEach.call(headers, function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-sort") === state.sort ?
        (state.dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  function saveHash() {
    var params = new URLSearchParams();
    FIELDS.forEach(function (f) {
      var v = controls[f] ? controls[f].value : "";
      if (v !== (controls[f] ? controls[f].getAttribute("data-default") || "" : "")) {
        params.set(f, v);
      }
    });
    if (search && search.value.trim()) { params.set("q", search.value.trim()); }
    if (state.sort !== "severity" || state.dir !== 1) {
      params.set("sort", state.sort);
      params.set("dir", String(state.dir));
    }
    var hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (e) { /* some viewers forbid it: the filters still work */ }
  }

  function loadHash() {
    var raw = location.hash.replace(/^#/, "");
    if (raw.indexOf("=") === -1) { return false; }
    var params = new URLSearchParams(raw);
    FIELDS.forEach(function (f) {
      if (!controls[f]) { return; }
      var wanted = params.has(f) ? params.get(f) :
        controls[f].getAttribute("data-default") || "";
      controls[f].value = wanted;
      if (controls[f].value !== wanted) { controls[f].value = ""; }
    });
    if (search) { search.value = params.get("q") || ""; }
    if (params.has("sort") && COMPARE[params.get("sort")]) {
      state.sort = params.get("sort");
      state.dir = params.get("dir") === "-1" ? -1 : 1;
    }
    return true;
  }

  FIELDS.forEach(function (f) {
    if (controls[f]) { controls[f].addEventListener("change", function () { apply(false); }); }
  });
  var timer = null;
  if (search) {
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { apply(false); }, 150);
    });
  }
  if (sizeSelect) {
    sizeSelect.value = String(state.size);
    sizeSelect.addEventListener("change", function () {
      state.size = parseInt(sizeSelect.value, 10) || 100;
      apply(false);
    });
  }
  prevBtn.addEventListener("click", function () { state.page -= 1; render(); });
  nextBtn.addEventListener("click", function () { state.page += 1; render(); });
  if (resetBtn) {
    resetBtn.addEventListener("click", function () {
      FIELDS.forEach(function (f) {
        if (controls[f]) { controls[f].value = controls[f].getAttribute("data-default") || ""; }
      });
      if (search) { search.value = ""; }
      state.sort = "severity";
      state.dir = 1;
      apply(false);
    });
  }
  Array.prototype.forEach.call(headers, function (th) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var field = th.getAttribute("data-sort");
      if (state.sort === field) { state.dir = -state.dir; } else {
        state.sort = field;
        state.dir = field === "posted" ? -1 : 1;
      }
      apply(false);
    });
  });
  window.addEventListener("hashchange", function () { if (loadHash()) { apply(false); } });
  var fromHash = loadHash();
  apply(false);
  // parsing the data and drawing the first page, from the start of this script
  tbody.setAttribute("data-ready-ms", (performance.now() - startedAt).toFixed(1));
  if (fromHash) {
    var target = document.getElementById("findings");
    if (target) { target.scrollIntoView(); }
  }
})();
