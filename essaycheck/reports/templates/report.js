// The class report's own script. The page works without it; it adds: sorting the
// table of students, opening an essay's panel when a link leads to it, a heatmap
// cell's score under the pointer, and the evidence for one key point side by side.
// Text is only ever set with textContent.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
})();

(function () {
  "use strict";
  var table = document.getElementById("students-table");
  if (!table || !table.tHead || !table.tBodies.length) {
    return;
  }
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function key(row, column, type) {
    var value = row.cells[column].getAttribute("data-sort");
    if (value === null) {
      value = row.cells[column].textContent;
    }
    if (type === "number") {
      return value === "" ? null : parseFloat(value);
    }
    return value;
  }

  function sortBy(header) {
    var column = headers.indexOf(header);
    var type = header.getAttribute("data-type");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, column, type);
      var y = key(b, column, type);
      var order = 0;
      if (x === null || y === null) {
        // Rows without a value (essays that were not marked) always go last.
        order = x === y ? 0 : x === null ? 1 : -1;
      } else {
        order = type === "number" ? x - y : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
        if (!ascending) {
          order = -order;
        }
      }
      if (order === 0) {
        order = Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index"));
      }
      return order;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      fragment.appendChild(row);
    });
    body.appendChild(fragment);
    headers.forEach(function (other) {
      if (other.hasAttribute("aria-sort")) {
        other.setAttribute("aria-sort", other === header ? (ascending ? "ascending" : "descending") : "none");
      }
    });
    var status = document.getElementById("sort-status");
    if (status) {
      status.textContent = "Sorted by " + header.textContent.trim() + (ascending ? ", ascending" : ", descending") + ".";
    }
  }

  headers.forEach(function (header) {
    var button = header.querySelector("button");
    if (button) {
      button.addEventListener("click", function () {
        sortBy(header);
      });
    }
  });
})();

(function () {
  "use strict";
  // Open the essay a link leads to (a closed <details> hides its text), and every
  // essay before printing.
  function reveal() {
    var id = window.location.hash.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch (error) {
      return; // not a name this page gives
    }
    var target = id ? document.getElementById(id) : null;
    var details = target ? target.querySelector("details") : null;
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("article.essay details"), function (details) {
      details.open = true;
    });
  });
})();

(function () {
  "use strict";
  var choice = document.getElementById("point-choice");
  var grid = document.getElementById("by-point-grid");
  var summary = document.getElementById("by-point-summary");
  var heatmap = document.querySelector("table.heatmap");
  if (!choice || !grid || !summary || !heatmap || !heatmap.tBodies.length) {
    return;
  }
  var ORDER = ["covered", "review", "missing"];
  var SYMBOLS = { covered: "\u2713", review: "?", missing: "\u2717" };
  var LABELS = { covered: "covered", review: "close call", missing: "missing" };

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function scoreOf(row, column) {
    return (row.getAttribute("data-scores") || "").split(" ")[column - 1] || "";
  }

  // A cell's score shows when the pointer is on it: one attribute per row, not a
  // tooltip per cell, keeps a large class's page small.
  heatmap.tBodies[0].addEventListener("mouseover", function (event) {
    var cell = event.target.closest("td");
    if (!cell || cell.hasAttribute("data-note") || !cell.parentNode.hasAttribute("data-scores")) {
      return;
    }
    var note = cell.getAttribute("title") || "";
    var score = "score " + scoreOf(cell.parentNode, cell.cellIndex);
    var point = heatmap.tHead.rows[0].cells[cell.cellIndex].textContent;
    cell.setAttribute("data-note", note);
    cell.setAttribute("title", note ? note + " (" + score + ")" : point + ": " + score);
  });

  function evidence(anchor, pointId) {
    var panel = document.getElementById(anchor);
    if (!panel) {
      return "";
    }
    var parts = [];
    Array.prototype.forEach.call(panel.querySelectorAll("mark[data-point]"), function (mark) {
      if (mark.getAttribute("data-point").split(" ").indexOf(pointId) >= 0) {
        parts.push(mark.textContent);
      }
    });
    return parts.join("");
  }

  function show(pointId) {
    while (grid.firstChild) {
      grid.removeChild(grid.firstChild);
    }
    var column = -1;
    Array.prototype.forEach.call(heatmap.tHead.rows[0].cells, function (cell, index) {
      if (cell.textContent === pointId) {
        column = index;
      }
    });
    if (column < 0) {
      summary.textContent = "";
      return;
    }
    var cards = { covered: [], review: [], missing: [] };
    var without = [];
    Array.prototype.forEach.call(heatmap.tBodies[0].rows, function (row) {
      var link = row.cells[0].querySelector("a");
      var cell = row.cells[column];
      if (!link || !cell || row.cells.length <= column || cell.hasAttribute("colspan")) {
        return;
      }
      var status = ORDER.filter(function (name) {
        return cell.classList.contains("s-" + name);
      })[0];
      var anchor = link.getAttribute("href").slice(1);
      var quote = evidence(anchor, pointId);
      if (!status) {
        return;
      }
      if (!quote) {
        without.push(link);
        return;
      }
      var card = element("article", "evidence-card c-" + status);
      var heading = element("h3");
      var name = element("a", "", link.textContent);
      name.href = "#" + anchor;
      heading.appendChild(name);
      card.appendChild(heading);
      var note = cell.getAttribute("data-note") || cell.getAttribute("title") || "";
      note = note.slice(note.indexOf(": ") + 2); // the point's id is the view's heading
      var score = "score " + scoreOf(row, column);
      card.appendChild(element("p", "evidence-status",
        SYMBOLS[status] + " " + LABELS[status] + " (" + score + (note ? ", " + note : "") + ")"));
      card.appendChild(element("blockquote", "", quote));
      cards[status].push(card);
    });
    ORDER.forEach(function (status) {
      cards[status].forEach(function (card) {
        grid.appendChild(card);
      });
    });
    if (without.length) {
      var rest = element("p", "evidence-none", "No evidence found in: ");
      without.forEach(function (link, index) {
        var name = element("a", "", link.textContent);
        name.href = link.getAttribute("href");
        rest.appendChild(name);
        if (index < without.length - 1) {
          rest.appendChild(document.createTextNode(", "));
        }
      });
      grid.appendChild(rest);
    }
    summary.textContent = pointId + ": " + cards.covered.length + " covered, " + cards.review.length +
      " close calls, " + cards.missing.length + " missing with evidence that was not counted, " +
      without.length + " without evidence.";
  }

  choice.addEventListener("change", function () {
    show(choice.value);
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.show-point"), function (link) {
    link.addEventListener("click", function () {
      choice.value = link.getAttribute("data-point");
      show(choice.value);
    });
  });
  if (choice.value) {
    show(choice.value);
  }
})();
