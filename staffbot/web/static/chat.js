/* staffbot web chat: transcript, live updates (SSE), buttons, text, files.
   Plain JS, no framework, no external resources (CSP: script-src 'self'). */
(function () {
  "use strict";

  var root = document.getElementById("chat");
  if (!root) { return; }
  var base = root.getAttribute("data-base");
  var staff = root.getAttribute("data-mode") === "staff";
  var maxUpload = parseInt(root.getAttribute("data-max-upload") || "0", 10);
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var log = document.getElementById("log");
  var empty = document.getElementById("empty");
  var form = document.getElementById("compose");
  var input = document.getElementById("text");
  var fileInput = document.getElementById("file");
  var toast = document.getElementById("toast");
  var tasksList = document.getElementById("tasks");
  var taskCount = document.getElementById("task-count");

  var last = 0;
  var cards = {};          // outbox id -> message element
  var source = null;
  var toastTimer = null;
  var tasksTimer = null;

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) { out += ("0" + bytes[i].toString(16)).slice(-2); }
    return out;
  }

  function showToast(text, alert) {
    if (!text) { return; }
    toast.textContent = text;
    toast.className = "toast" + (alert ? " alert" : "");
    toast.hidden = false;
    placeToast();
    if (toastTimer) { clearTimeout(toastTimer); }
    toastTimer = setTimeout(function () { toast.hidden = true; placeToast(); }, alert ? 6000 : 3500);
  }

  // The toast sits just above the compose bar, and while it shows the transcript ends
  // that much higher, so it never covers the last message.
  function placeToast() {
    var stick = nearBottom();
    var bar = document.querySelector(".compose-bar");
    var above = bar ? bar.offsetHeight : 0;
    toast.style.bottom = (above + 8) + "px";
    root.style.paddingBottom = toast.hidden ? "" : (above + toast.offsetHeight + 24) + "px";
    if (stick) { scrollDown(); }
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
  }

  function scrollDown() { window.scrollTo(0, document.body.scrollHeight); }

  // -- rendering ------------------------------------------------------------------

  function setButtons(el, choices) {
    var old = el.querySelector(".choices");
    if (old) { old.parentNode.removeChild(old); }
    if (!staff || !choices || !choices.length) { return; }
    var box = document.createElement("div");
    box.className = "choices";
    choices.forEach(function (c) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "choice";
      b.textContent = c.label;
      b.setAttribute("data-token", c.token);
      box.appendChild(b);
    });
    el.appendChild(box);
  }

  function setText(el, html) {
    var body = el.querySelector(".text");
    // The server sends escaped rich text: only <b>, <i> and <code> remain as tags.
    body.innerHTML = html;
  }

  // A card's document link; an edit that brings a new document (the signed PDF)
  // replaces it in place.
  function setDoc(el, attachment) {
    var a = el.querySelector("a.doc");
    if (!a) {
      a = document.createElement("a");
      a.className = "doc";
      a.setAttribute("download", "");
      el.querySelector(".text").insertAdjacentElement("afterend", a);
    }
    a.href = attachment.url;
    a.textContent = "📄 " + attachment.filename;
  }

  function render(m) {
    if (m.kind === "edit") {
      var target = cards[m.ref_id];
      if (target) {
        setText(target, m.text);
        if (m.attachment) { setDoc(target, m.attachment); }
        setButtons(target, m.choices);
        target.classList.add("edited");
      }
      return;
    }
    if (m.kind === "delete") {
      var gone = log.querySelector('[data-local-id="' + (m.message_id || "").replace(/[^A-Za-z0-9_-]/g, "") + '"]');
      if (gone) { gone.parentNode.removeChild(gone); }
      return;
    }
    var el = document.createElement("article");
    el.className = "msg bot kind-" + m.kind;
    el.setAttribute("data-id", String(m.id));
    var body = document.createElement("div");
    body.className = "text";
    el.appendChild(body);
    setText(el, m.text);
    if (m.attachment) { setDoc(el, m.attachment); }
    var time = document.createElement("time");
    time.textContent = m.at || "";
    el.appendChild(time);
    setButtons(el, m.choices);
    log.appendChild(el);
    cards[m.id] = el;
  }

  function echo(localId, text) {
    var el = document.createElement("article");
    el.className = "msg mine";
    el.setAttribute("data-local-id", localId);
    var body = document.createElement("div");
    body.className = "text";
    body.textContent = text;
    el.appendChild(body);
    log.appendChild(el);
    scrollDown();
  }

  function setInputMode(mode) {
    if (mode === "pin") {
      input.type = "password";
      input.setAttribute("inputmode", "numeric");
      input.setAttribute("autocomplete", "off");
      input.placeholder = "PIN (6 digit)";
      input.classList.add("pin");
    } else if (input.type !== "text") {
      input.type = "text";
      input.removeAttribute("inputmode");
      input.placeholder = staff ? "Tulis pesan atau /perintah" : "Tulis pesan sebagai pemohon";
      input.classList.remove("pin");
    }
  }

  function apply(batch) {
    var stick = nearBottom();
    var added = false;
    (batch.messages || []).forEach(function (m) {
      if (m.id <= last) { return; }
      render(m);
      last = m.id;
      added = true;
    });
    if (batch.input) { setInputMode(batch.input); }
    if (empty) { empty.hidden = log.children.length > 0; }
    if (added) {
      if (stick) { scrollDown(); }
      scheduleTasks();
    }
    return batch.more;
  }

  // -- talking to the server -----------------------------------------------------------

  function request(method, url, body, headers) {
    var opts = { method: method, credentials: "same-origin", headers: headers || {} };
    if (method !== "GET") { opts.headers["X-CSRF-Token"] = csrf; }
    if (body !== undefined) { opts.body = body; }
    return fetch(url, opts).then(function (res) {
      if (res.status === 401) { window.location.href = "/"; throw new Error("login"); }
      return res.json().then(function (data) {
        if (!res.ok) { throw new Error(data.text || ("HTTP " + res.status)); }
        return data;
      });
    });
  }

  // One retry with the same id: the server processes an id once, so a retried
  // press or text after a network hiccup never acts twice.
  function postJson(path, payload) {
    var send = function () {
      return request("POST", base + path, JSON.stringify(payload), { "Content-Type": "application/json" });
    };
    return send().catch(function (err) {
      if (err && err.message === "login") { throw err; }
      if (err instanceof TypeError) { return send(); }
      throw err;
    });
  }

  function answer(data) { showToast(data.text, data.alert); }

  function failed(err) {
    if (err && err.message === "login") { return; }
    showToast((err && err.message) || "Gagal terhubung. Coba lagi.", true);
  }

  function load() {
    return request("GET", base + "/messages?after=" + last).then(function (batch) {
      if (apply(batch)) { return load(); }
      return null;
    });
  }

  function connect() {
    if (!window.EventSource) { setInterval(function () { load().catch(function () {}); }, 3000); return; }
    source = new EventSource(base + "/events?after=" + last);
    source.addEventListener("messages", function (ev) { apply(JSON.parse(ev.data)); });
    source.addEventListener("logout", function () { source.close(); window.location.href = "/"; });
    source.onerror = function () {
      // EventSource reconnects on its own (with Last-Event-ID); a refused stream
      // (session over) stays closed: find out why with a plain request.
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(function () { load().then(connect).catch(failed); }, 2000);
      }
    };
  }

  // -- tasks panel ---------------------------------------------------------------------

  function scheduleTasks() {
    if (!staff || !tasksList) { return; }
    if (tasksTimer) { clearTimeout(tasksTimer); }
    tasksTimer = setTimeout(loadTasks, 300);
  }

  function loadTasks() {
    request("GET", "/api/tasks").then(function (data) {
      var tasks = data.tasks || [];
      taskCount.textContent = "(" + tasks.length + ")";
      while (tasksList.firstChild) { tasksList.removeChild(tasksList.firstChild); }
      tasks.forEach(function (t) {
        var li = document.createElement("li");
        if (t.overdue) { li.className = "overdue"; }
        // a tap brings the task's card back (/kasus: the card when it is this person's)
        var head = document.createElement("button");
        head.type = "button";
        head.className = "task-open";
        head.setAttribute("data-command", "/kasus " + t.number);
        head.textContent = t.number;
        li.appendChild(head);
        var info = document.createElement("span");
        var due = t.paused ? "menunggu berkas" : (t.due ? "batas " + t.due : "");
        info.textContent = " · langkah " + t.sop_no + " · " + t.kecamatan + (due ? " · " + due : "");
        li.appendChild(info);
        tasksList.appendChild(li);
      });
      if (!tasks.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = "Tidak ada tugas yang menunggu.";
        tasksList.appendChild(none);
      }
    }).catch(function () {});
  }

  // -- events ----------------------------------------------------------------------------

  log.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-token]") : null;
    if (!btn || btn.disabled) { return; }
    var box = btn.parentNode;
    var all = box.querySelectorAll("button");
    Array.prototype.forEach.call(all, function (b) { b.disabled = true; });
    btn.classList.add("busy");
    postJson("/press", { token: btn.getAttribute("data-token"), id: newId() })
      .then(answer, failed)
      .then(function () {
        btn.classList.remove("busy");
        // Still there? (not replaced by the card's edit): the press was refused.
        Array.prototype.forEach.call(all, function (b) { b.disabled = false; });
      });
  });

  function sendText(text) {
    var id = newId();
    var secret = input.type === "password";
    echo(id, secret ? "••••••" : text);
    return postJson("/text", { text: text, id: id }).then(answer, failed);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    // Clear at once: a PIN must not stay in the page longer than needed.
    input.value = "";
    if (!text) { return; }
    sendText(text);
    input.focus();
  });

  document.addEventListener("click", function (ev) {
    var chip = ev.target.closest ? ev.target.closest("[data-command]") : null;
    if (!chip) { return; }
    var command = chip.getAttribute("data-command");
    if (/\s$/.test(command)) {            // needs an argument: let the person type it
      input.value = command;
      input.focus();
      return;
    }
    sendText(command);
  });

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (!file) { return; }
    if (maxUpload && file.size > maxUpload) {
      showToast("Berkas terlalu besar (maksimal " + Math.floor(maxUpload / 1048576) + " MB).", true);
      return;
    }
    var id = newId();
    var data = new FormData();
    data.append("file", file, file.name);
    data.append("id", id);
    echo(id, "📎 " + file.name);
    request("POST", base + "/file", data).then(answer, failed);
  });

  load().then(function () {
    scrollDown();
    connect();
    scheduleTasks();
  }).catch(failed);
})();
