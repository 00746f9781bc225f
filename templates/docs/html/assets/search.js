// The metric dictionary's search: plain JavaScript, no framework, no request. The index is
// `search-index.js` (built by metricc at compile time, loaded by a <script> element so that
// the page works from file://). The search and the filters live in the URL's fragment
// (#q=issues&stage=plan), so a filtered view can be bookmarked and shared.
(function () {
  "use strict";

  var SUPPORTED_VERSION = 1;
  var PAGE = 50;
  var FILTERS = ["section", "stage", "group", "tier", "source", "status", "category", "role"];

  var index = window.metriccSearchIndex;
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var count = document.getElementById("count");
  var list = document.getElementById("results");
  var more = document.getElementById("more");
  if (!form || !input || !count || !list || !more) {
    return;
  }
  if (!index || index.version !== SUPPORTED_VERSION) {
    count.textContent = "The search index is missing or was made by another version of metricc.";
    return;
  }

  var metrics = index.metrics;
  var groups = index.groups;
  var stages = index.stages;
  var total = metrics.length;
  // Per metric: the lower-case text a query is matched against, its key path in lower
  // case, and its stage and section (through its group).
  var haystacks = new Array(total);
  var keys = new Array(total);
  var stageOf = new Int32Array(total);
  var sectionOf = new Int32Array(total);
  for (var i = 0; i < total; i++) {
    var m = metrics[i];
    var g = m[3] >= 0 ? groups[m[3]] : null;
    keys[i] = m[0].toLowerCase();
    haystacks[i] = (m[0] + "\n" + m[2] + "\n" + m[10] + "\n" + (g ? g[0] + " " + g[1] : "")).toLowerCase();
    stageOf[i] = g ? g[2] : -1;
    sectionOf[i] = g ? stages[g[2]][2] : -1;
  }

  function keyIndex(table, key) {
    for (var j = 0; j < table.length; j++) {
      if ((typeof table[j] === "string" ? table[j] : table[j][0]) === key) {
        return j;
      }
    }
    return -1;
  }

  // Each filter: the table its values come from, and whether metric `i` has value `v`.
  var tests = {
    section: [index.sections, function (i, v) { return sectionOf[i] === v; }],
    stage: [stages, function (i, v) { return stageOf[i] === v; }],
    group: [groups, function (i, v) { return metrics[i][3] === v; }],
    source: [index.data_sources, function (i, v) { return metrics[i][5] === v; }],
    status: [index.statuses, function (i, v) { return metrics[i][6] === v; }],
    category: [index.data_categories, function (i, v) { return metrics[i][7] === v; }],
    tier: [index.tiers, function (i, v) { return (metrics[i][8] & (1 << v)) !== 0; }],
    role: [index.roles, function (i, v) { return (metrics[i][9] & (1 << v)) !== 0; }]
  };

  var matches = [];
  var shown = 0;
  var writtenHash = null;

  function state() {
    var s = { q: input.value.trim() };
    FILTERS.forEach(function (name) {
      s[name] = form.elements[name].value;
    });
    return s;
  }

  function search(s) {
    var terms = s.q.toLowerCase().split(/\s+/).filter(Boolean);
    var q = terms.join(" ");
    var active = [];
    FILTERS.forEach(function (name) {
      if (s[name]) {
        var t = tests[name];
        active.push([t[1], keyIndex(t[0], s[name])]);
      }
    });
    var found = [];
    outer: for (var i = 0; i < total; i++) {
      for (var f = 0; f < active.length; f++) {
        if (!active[f][0](i, active[f][1])) {
          continue outer;
        }
      }
      var text = haystacks[i];
      var inKey = true;
      for (var t = 0; t < terms.length; t++) {
        if (text.indexOf(terms[t]) < 0) {
          continue outer;
        }
        if (inKey && keys[i].indexOf(terms[t]) < 0) {
          inKey = false;
        }
      }
      // Rank: the key path itself, then key paths starting with the query, then key paths
      // holding every term, then the rest; in key path order within a rank.
      var rank = 3;
      if (terms.length) {
        if (keys[i] === q) {
          rank = 0;
        } else if (keys[i].lastIndexOf(q, 0) === 0) {
          rank = 1;
        } else if (inKey) {
          rank = 2;
        }
      }
      found.push(rank * 1048576 + i);
    }
    if (terms.length) {
      found.sort(function (a, b) { return a - b; });
    }
    for (var k = 0; k < found.length; k++) {
      found[k] = found[k] % 1048576;
    }
    return found;
  }

  function item(i) {
    var m = metrics[i];
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = "metrics/" + encodeURIComponent(m[1]) + ".html";
    a.textContent = m[0];
    li.appendChild(a);
    var meta = document.createElement("span");
    meta.className = "meta";
    var g = m[3] >= 0 ? groups[m[3]] : null;
    meta.textContent = " · " + (g ? g[1] : "no group") + " · " + index.time_frames[m[4]] +
      " · " + index.statuses[m[6]];
    li.appendChild(meta);
    if (m[2]) {
      var p = document.createElement("p");
      p.textContent = m[2];
      li.appendChild(p);
    }
    return li;
  }

  function showMore() {
    var end = Math.min(matches.length, shown + PAGE);
    var fragment = document.createDocumentFragment();
    for (var k = shown; k < end; k++) {
      fragment.appendChild(item(matches[k]));
    }
    list.appendChild(fragment);
    shown = end;
    more.hidden = shown >= matches.length;
    more.textContent = "Show more (" + (matches.length - shown) + " left)";
  }

  function plural(n, word) {
    return n.toLocaleString("en") + " " + word + (n === 1 ? "" : "s");
  }

  function run() {
    var s = state();
    matches = search(s);
    list.textContent = "";
    shown = 0;
    showMore();
    var filtered = matches.length !== total;
    count.textContent = filtered
      ? plural(matches.length, "metric") + " of " + total.toLocaleString("en") + " match."
      : plural(total, "metric") + ".";
    writeHash(s);
  }

  // The state in the URL: only what is set, in a fixed order.
  function writeHash(s) {
    var params = new URLSearchParams();
    if (s.q) {
      params.set("q", s.q);
    }
    FILTERS.forEach(function (name) {
      if (s[name]) {
        params.set(name, s[name]);
      }
    });
    var hash = params.toString();
    var target = hash ? "#" + hash : "";
    if ((location.hash || "") === target) {
      return;
    }
    writtenHash = target;
    var url = location.href.split("#")[0] + (target || "#");
    try {
      history.replaceState(null, "", url);
    } catch (e) {
      location.replace(url);
    }
  }

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    input.value = params.get("q") || "";
    FILTERS.forEach(function (name) {
      var select = form.elements[name];
      var value = params.get(name) || "";
      // A value the list does not offer (an old link) is dropped, not kept invisibly.
      select.value = value;
      if (select.value !== value) {
        select.value = "";
      }
    });
  }

  function resultLinks() {
    return list.querySelectorAll("a");
  }

  input.addEventListener("input", run);
  FILTERS.forEach(function (name) {
    form.elements[name].addEventListener("change", run);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var links = resultLinks();
    if (links.length) {
      links[0].focus();
    }
  });
  form.addEventListener("reset", function (event) {
    event.preventDefault();
    input.value = "";
    FILTERS.forEach(function (name) {
      form.elements[name].value = "";
    });
    run();
    input.focus();
  });
  more.addEventListener("click", function () {
    var before = shown;
    showMore();
    var links = resultLinks();
    if (links[before]) {
      links[before].focus();
    }
  });
  window.addEventListener("hashchange", function () {
    if (location.hash === writtenHash) {
      return;
    }
    readHash();
    run();
  });

  // Keyboard: `/` goes to the search box; the arrow keys move between the box and the
  // results; Escape clears the box.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target instanceof HTMLInputElement || target instanceof HTMLSelectElement;
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (target === input) {
      if (event.key === "ArrowDown") {
        var first = resultLinks()[0];
        if (first) {
          event.preventDefault();
          first.focus();
        }
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        run();
      }
      return;
    }
    if (target instanceof HTMLAnchorElement && list.contains(target)) {
      var links = Array.prototype.slice.call(resultLinks());
      var at = links.indexOf(target);
      if (event.key === "ArrowDown" && at + 1 < links.length) {
        event.preventDefault();
        links[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (at > 0) {
          links[at - 1].focus();
        } else {
          input.focus();
        }
      }
    }
  });

  readHash();
  run();
  if (!location.hash) {
    input.focus();
  }
})();
