(function () {
  "use strict";
  document.documentElement.classList.add("js");
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
