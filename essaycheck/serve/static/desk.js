// The review desk: accept, overturn, undo and comment, from the keyboard or the buttons.
// Every change is sent to the server at once (it writes overrides.csv and the reports);
// text from the server is put in the page with textContent only, never as markup.
"use strict";

(function () {
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var cells = Array.prototype.slice.call(document.querySelectorAll(".cell"));
  var undoStack = [];
  var current = 0;
  var polling = null;

  function toast(text, isError) {
    var box = document.getElementById("toast");
    box.textContent = text;
    box.classList.toggle("toast-error", Boolean(isError));
    box.classList.add("shown");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.error || "The change was not saved: reload the page.");
        }
        return data;
      });
    });
  }

  function key(essay, point) {
    return JSON.stringify([essay, point]);
  }

  function findCell(essay, point) {
    var wanted = key(essay, point);
    return cells.filter(function (cell) {
      return key(cell.dataset.essay, cell.dataset.point) === wanted;
    });
  }

  function setProgress(progress) {
    document.querySelectorAll('[data-role="progress"]').forEach(function (node) {
      node.textContent = progress.text;
    });
  }

  function show(state) {
    findCell(state.essay, state.point_id).forEach(function (cell) {
      cell.dataset.status = state.status;
      cell.classList.remove("status-covered", "status-missing");
      cell.classList.add("status-" + state.status);
      cell.classList.toggle("is-teachers", state.is_teachers);
      cell.querySelector('[data-role="decision"]').textContent = state.status;
      var who = state.is_teachers ? "your decision" : state.close_call ? "close call" : "engine";
      cell.querySelector('[data-role="who"]').textContent = who;
      var comment = cell.querySelector('[data-role="comment"]');
      if (document.activeElement !== comment) {
        comment.value = state.comment || "";
      }
    });
  }

  function waitForReports() {
    if (polling !== null) {
      return;
    }
    polling = window.setInterval(function () {
      fetch("/api/desk/status", { credentials: "same-origin" })
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          setProgress(data.progress);
          if (data.error) {
            toast("Saved, but the reports could not be written: " + data.error, true);
          } else if (!data.pending) {
            toast("Saved. The gradebook and feedback are up to date.");
          }
          if (!data.pending) {
            window.clearInterval(polling);
            polling = null;
          }
        });
    }, 400);
  }

  function applied(data) {
    data.cells.forEach(show);
    setProgress(data.progress);
    toast("Saved in overrides.csv; updating the reports…");
    waitForReports();
    return data;
  }

  function change(targets, covered, comment, remember) {
    var body = { cells: targets, covered: covered };
    if (comment !== undefined) {
      body.comment = comment;
    }
    return post("/api/desk/decide", body)
      .then(applied)
      .then(function (data) {
        if (remember) {
          undoStack.push({ cells: targets, previous: data.previous });
        }
      })
      .catch(function (error) {
        toast(error.message, true);
      });
  }

  function clear(targets, remember) {
    return post("/api/desk/clear", { cells: targets })
      .then(applied)
      .then(function (data) {
        if (remember) {
          undoStack.push({ cells: targets, previous: data.previous });
        }
      })
      .catch(function (error) {
        toast(error.message, true);
      });
  }

  function undo() {
    var last = undoStack.pop();
    if (!last) {
      toast("Nothing to undo.");
      return;
    }
    var toClear = [];
    var restores = [];
    last.cells.forEach(function (target, index) {
      var before = last.previous[index];
      if (before.is_teachers) {
        restores.push({ target: target, covered: before.covered, comment: before.comment || "" });
      } else {
        toClear.push(target);
      }
    });
    var steps = toClear.length ? clear(toClear, false) : Promise.resolve();
    restores.forEach(function (item) {
      steps = steps.then(function () {
        return change([item.target], item.covered, item.comment, false);
      });
    });
    steps.then(function () {
      toast("Undone; updating the reports…");
    });
  }

  function target(cell) {
    return [cell.dataset.essay, cell.dataset.point];
  }

  function focusCell(index) {
    if (!cells.length) {
      return;
    }
    current = Math.max(0, Math.min(cells.length - 1, index));
    cells[current].focus();
    cells[current].scrollIntoView({ block: "nearest" });
  }

  function act(cell, action) {
    var isCovered = cell.dataset.status === "covered";
    var advance = cell.closest('[data-advance="true"]') !== null;
    var done;
    if (action === "accept") {
      done = change([target(cell)], isCovered, undefined, true);
    } else if (action === "overturn") {
      done = change([target(cell)], !isCovered, undefined, true);
    } else if (action === "clear") {
      done = clear([target(cell)], true);
    }
    if (done && advance && cells.indexOf(cell) === current) {
      focusCell(current + 1);
    }
  }

  function picked() {
    return cells.filter(function (cell) {
      var box = cell.querySelector(".pick");
      return box && box.checked;
    });
  }

  function showPicked() {
    var label = document.querySelector('[data-role="picked"]');
    if (label) {
      label.textContent = picked().length + " selected";
    }
  }

  function bulk(action) {
    var chosen = picked().map(target);
    if (!chosen.length) {
      toast("Select some essays first (space, or the boxes).");
      return;
    }
    if (action === "bulk-clear") {
      clear(chosen, true);
    } else {
      change(chosen, action === "bulk-covered", undefined, true);
    }
  }

  function toggleHelp() {
    var keys = document.getElementById("keys");
    keys.hidden = !keys.hidden;
    document.querySelector(".help-button").setAttribute("aria-expanded", String(!keys.hidden));
  }

  cells.forEach(function (cell, index) {
    cell.addEventListener("focus", function () {
      current = index;
    });
    var comment = cell.querySelector('[data-role="comment"]');
    comment.addEventListener("change", function () {
      change([target(cell)], cell.dataset.status === "covered", comment.value, true);
    });
    comment.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "Escape") {
        event.preventDefault();
        cell.focus();
      }
    });
    var box = cell.querySelector(".pick");
    if (box) {
      box.addEventListener("change", showPicked);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button) {
      var action = button.dataset.action;
      var cell = button.closest(".cell");
      if (cell) {
        act(cell, action);
      } else if (action === "help") {
        toggleHelp();
      } else if (action === "select-all") {
        var none = picked().length === 0;
        cells.forEach(function (item) {
          item.querySelector(".pick").checked = none;
        });
        showPicked();
      } else if (action.indexOf("bulk-") === 0) {
        bulk(action);
      }
      return;
    }
    var mark = event.target.closest("mark[data-points]");
    if (mark) {
      var first = mark.dataset.points.split(" ")[0];
      var found = cells.filter(function (cell) {
        return cell.dataset.point === first;
      });
      if (found.length) {
        focusCell(cells.indexOf(found[0]));
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var cell = cells[current];
    var handled = true;
    switch (event.key) {
      case "j":
      case "ArrowDown":
        focusCell(current + 1);
        break;
      case "k":
      case "ArrowUp":
        focusCell(current - 1);
        break;
      case "a":
        if (cell) act(cell, "accept");
        break;
      case "x":
        if (cell) act(cell, "overturn");
        break;
      case "u":
        undo();
        break;
      case "c":
        if (cell) cell.querySelector('[data-role="comment"]').focus();
        break;
      case "e":
        if (cell && cell.querySelector(".essay-link")) cell.querySelector(".essay-link").click();
        break;
      case "p":
        if (cell && cell.querySelector(".point-link")) cell.querySelector(".point-link").click();
        break;
      case " ":
        if (cell && cell.querySelector(".pick")) {
          var box = cell.querySelector(".pick");
          box.checked = !box.checked;
          showPicked();
        } else {
          handled = false;
        }
        break;
      case "C":
        bulk("bulk-covered");
        break;
      case "M":
        bulk("bulk-missing");
        break;
      case "?":
        toggleHelp();
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  document.documentElement.classList.add("js");
  if (cells.length && !document.querySelector(".essay-text")) {
    cells[0].focus({ preventScroll: true });
  }
})();
