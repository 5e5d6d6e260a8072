// The student's page: the draft is checked as it is typed (after a pause), or read from a
// dropped file. Nothing is kept on the server; earlier drafts stay in this browser's
// localStorage. Every text from the server is put in the page with textContent only.
"use strict";

(function () {
  var PAUSE_MS = 600;
  var MAX_DRAFTS = 15;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var page = document.getElementById("page");
  var assignment = page.dataset.assignment;
  var draft = document.getElementById("draft");
  var message = document.getElementById("message");
  var historyBox = document.getElementById("history");
  var storeKey = "essaycheck-drafts:" + assignment;
  var timer = null;
  var sent = 0;
  var shown = 0;

  function say(text, isError) {
    message.textContent = text;
    message.classList.toggle("error", Boolean(isError));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function request(url, options) {
    options.credentials = "same-origin";
    options.headers = Object.assign({ "X-CSRF-Token": csrf }, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok || data.error) {
          throw new Error(data.error || "Something went wrong: reload the page.");
        }
        return data;
      });
    });
  }

  function renderPoints(view) {
    var list = document.getElementById("points");
    list.replaceChildren();
    view.points.forEach(function (point) {
      var item = element("li", "student-point status-" + point.status);
      item.dataset.point = point.id;
      item.dataset.status = point.status;
      var head = element("p", "point-head");
      head.appendChild(element("span", "badge", point.label));
      head.appendChild(element("span", "point-id", point.id + (point.required ? " (required)" : "")));
      item.appendChild(head);
      if (point.claim) {
        item.appendChild(element("p", "claim", point.claim));
      }
      if (point.evidence) {
        item.appendChild(element("blockquote", "evidence", point.evidence));
      }
      point.advice.forEach(function (line) {
        item.appendChild(element("p", "advice", line));
      });
      list.appendChild(item);
    });
  }

  function renderPreview(view) {
    var preview = document.getElementById("preview");
    preview.replaceChildren();
    view.segments.forEach(function (segment) {
      if (!segment.points.length) {
        preview.appendChild(document.createTextNode(segment.text));
        return;
      }
      var mark = element("mark", "hl hl-" + segment.status);
      mark.dataset.points = segment.points.join(" ");
      segment.labels.forEach(function (label) {
        mark.appendChild(element("span", "tag", label));
      });
      mark.appendChild(document.createTextNode(segment.text));
      preview.appendChild(mark);
    });
  }

  function render(view) {
    document.getElementById("share").textContent = view.share_text;
    document.getElementById("grade").textContent = view.grade ? " · grade " + view.grade : "";
    document.getElementById("count").textContent = view.summary;
    renderPoints(view);
    renderPreview(view);
    document.getElementById("warnings").textContent = view.warnings.join(" ");
  }

  function check() {
    var text = draft.value;
    var number = ++sent;
    document.getElementById("state").textContent = "checking…";
    request("/api/check", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ assignment: assignment, text: text }),
    })
      .then(function (view) {
        if (number < shown) {
          return;
        }
        shown = number;
        render(view);
        document.getElementById("state").textContent = number === sent ? "" : "checking…";
        remember(text);
      })
      .catch(function (error) {
        document.getElementById("state").textContent = "";
        say(error.message, true);
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, PAUSE_MS);
  }

  // --- earlier drafts, in this browser only -------------------------------------

  function drafts() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  function showDrafts() {
    historyBox.replaceChildren(element("option", "", "choose one to restore"));
    historyBox.firstChild.value = "";
    drafts().forEach(function (saved, index) {
      var words = saved.text.trim().split(/\s+/).length;
      var when = new Date(saved.time).toLocaleString();
      var option = element("option", "", when + " · " + words + " words");
      option.value = String(index);
      historyBox.appendChild(option);
    });
  }

  function remember(text) {
    if (!text.trim()) {
      return;
    }
    var saved = drafts();
    if (saved.length && saved[0].text === text) {
      return;
    }
    if (saved.length && text.indexOf(saved[0].text) === 0 && Date.now() - saved[0].time < 60000) {
      saved.shift(); // still typing the same draft: keep the newest only
    }
    saved.unshift({ time: Date.now(), text: text });
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(saved.slice(0, MAX_DRAFTS)));
    } catch (error) {
      return; // storage full or switched off: the page works without it
    }
    showDrafts();
  }

  historyBox.addEventListener("change", function () {
    var saved = drafts()[Number(historyBox.value)];
    if (historyBox.value !== "" && saved) {
      draft.value = saved.text;
      check();
    }
  });

  document.getElementById("forget").addEventListener("click", function () {
    window.localStorage.removeItem(storeKey);
    showDrafts();
    say("The earlier drafts are forgotten in this browser.", false);
  });

  // --- files ----------------------------------------------------------------------

  function readFile(file) {
    var form = new FormData();
    form.append("file", file, file.name);
    say("Reading " + file.name + "…", false);
    request("/api/read", { method: "POST", body: form })
      .then(function (read) {
        draft.value = read.text;
        say("Read " + read.name + ". " + read.warnings.join(" "), false);
        check();
      })
      .catch(function (error) {
        say(error.message, true);
      });
  }

  var drop = document.getElementById("drop");
  drop.addEventListener("dragover", function (event) {
    event.preventDefault();
    drop.classList.add("dragging");
  });
  drop.addEventListener("dragleave", function () {
    drop.classList.remove("dragging");
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("dragging");
    if (event.dataTransfer.files.length) {
      readFile(event.dataTransfer.files[0]);
    }
  });
  document.getElementById("file").addEventListener("change", function (event) {
    if (event.target.files.length) {
      readFile(event.target.files[0]);
      event.target.value = "";
    }
  });

  var chooser = document.getElementById("assignment");
  if (chooser) {
    chooser.addEventListener("change", function () {
      window.location.search = "?assignment=" + encodeURIComponent(chooser.value);
    });
  }

  draft.addEventListener("input", later);
  document.documentElement.classList.add("js");
  showDrafts();
  check();
})();
