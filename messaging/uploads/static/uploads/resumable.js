// Resumable uploads for <input type="file" multiple data-upload-url="…"> (messaging/uploads/forms.py).
// Without this script the files travel with the form (small files). With it, each file is sent in
// chunks of 8 MiB as soon as it is chosen (tus 1.0 core: POST to create, PATCH with Upload-Offset,
// HEAD to learn where to resume), with a <progress> per file; a dropped connection is retried and
// resumes from the server's offset; the finished uploads go with the form as hidden upload ids.
// Screen readers hear each file's quarter steps and its end through one polite status region, not
// every percent.
(function () {
  "use strict";
  var CHUNK = 8 * 1024 * 1024;
  var MAX_FAILURES = 12;
  var CHUNK_TYPE = "application/offset+octet-stream";

  function say(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function sleep(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

  // One request; resolves with the answer (any status), rejects on a network error or timeout.
  function send(method, url, options) {
    options = options || {};
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.timeout = 10 * 60 * 1000;
      Object.keys(options.headers || {}).forEach(function (name) {
        xhr.setRequestHeader(name, options.headers[name]);
      });
      if (options.progress && xhr.upload) {
        xhr.upload.addEventListener("progress", function (event) { options.progress(event.loaded); });
      }
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (error) { body = null; }
        resolve({
          status: xhr.status,
          body: body,
          offset: parseInt(xhr.getResponseHeader("Upload-Offset"), 10),
        });
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new Error("network")); };
      xhr.send(options.body === undefined ? null : options.body);
    });
  }

  function enhance(input) {
    var form = input.form;
    if (!form || input.getAttribute("data-upload-ready") || !window.Promise || !window.Blob) { return; }
    input.setAttribute("data-upload-ready", "1");
    var createUrl = input.getAttribute("data-upload-url");
    var context = input.getAttribute("data-upload-context") || "";
    var idsField = input.getAttribute("data-upload-field") || "upload_ids";
    var list = document.getElementById(input.id + "_uploads");
    var status = document.getElementById(input.id + "_status");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var texts = {};
    ["sending", "sent", "checking", "retrying", "failed", "wait", "remove", "choose"].forEach(function (key) {
      texts[key] = input.getAttribute("data-text-" + key) || "";
    });
    var pending = 0;
    // The bytes go by chunks now: the form must not post them a second time.
    input.removeAttribute("name");
    // The browser writes its own file button ("Choose Files", "No file chosen") in the language of the
    // browser, not of the page, and the chosen files are listed below anyway: the native control is
    // hidden from sight but stays in the tab order, and a label in the page's language opens it (a
    // click on a file input's label opens the picker; Space or Enter does on the focused input).
    if (texts.choose) {
      var chooser = document.createElement("label");
      chooser.htmlFor = input.id;
      chooser.className = "button secondary upload-choose";
      chooser.textContent = texts.choose;
      input.classList.add("upload-native");
      input.parentNode.insertBefore(chooser, input.nextSibling);
    }

    function announce(message) { if (status) { status.textContent = message; } }

    function headers(extra) {
      var all = { "X-CSRFToken": token ? token.value : "", "Tus-Resumable": "1.0.0" };
      Object.keys(extra || {}).forEach(function (name) { all[name] = extra[name]; });
      return all;
    }

    function item(file) {
      var li = document.createElement("li");
      var id = input.id + "_upload_" + Math.random().toString(36).slice(2);
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = file.name;
      var bar = document.createElement("progress");
      bar.id = id;
      bar.max = file.size || 1;
      bar.value = 0;
      var note = document.createElement("span");
      note.className = "upload-note";
      li.appendChild(label);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(bar);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(note);
      list.appendChild(li);
      return { li: li, bar: bar, note: note };
    }

    function removable(view, file, url) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = say(texts.remove, { name: file.name });
      button.addEventListener("click", function () {
        send("DELETE", url, { headers: headers() }).catch(function () { return null; });
        list.removeChild(view.li);
        input.focus();
      });
      view.li.appendChild(document.createTextNode(" "));
      view.li.appendChild(button);
    }

    // Where the server is for this upload, asked until the network answers.
    async function serverOffset(url, view, file) {
      for (var failures = 1; failures <= MAX_FAILURES; failures += 1) {
        view.note.textContent = say(texts.retrying, { name: file.name });
        if (failures === 1) { announce(view.note.textContent); }
        await sleep(Math.min(30000, 1000 * Math.pow(2, failures - 1)));
        try {
          var answer = await send("HEAD", url, { headers: headers() });
          if (answer.status === 200 && !isNaN(answer.offset)) { return answer.offset; }
          if (answer.status < 500) { return null; }
        } catch (error) { /* still offline: wait longer */ }
      }
      return null;
    }

    async function upload(file) {
      var view = item(file);
      var key = "portail-upload:" + [createUrl, context, file.name, file.size, file.lastModified].join(":");
      var url = null;
      var offset = 0;
      var quarter = -1;
      try {
        try { url = window.localStorage.getItem(key); } catch (error) { url = null; }
        if (url) {
          var known = await send("HEAD", url, { headers: headers() }).catch(function () { return null; });
          if (known && known.status === 200 && !isNaN(known.offset)) { offset = known.offset; } else { url = null; }
        }
        if (!url) {
          var data = new FormData();
          data.append("name", file.name);
          data.append("size", String(file.size));
          data.append("type", file.type || "");
          data.append("context", context);
          var created = await send("POST", createUrl, { headers: headers(), body: data });
          if (created.status !== 201 || !created.body) {
            throw new Error((created.body && created.body.message) || say(texts.failed, { name: file.name }));
          }
          url = created.body.url;
          try { window.localStorage.setItem(key, url); } catch (error) { /* private mode: no resume after reload */ }
        }
        while (offset < file.size) {
          var start = offset;
          var answer = null;
          try {
            answer = await send("PATCH", url, {
              headers: headers({ "Upload-Offset": String(start), "Content-Type": CHUNK_TYPE }),
              body: file.slice(start, start + CHUNK),
              progress: function (loaded) { view.bar.value = start + loaded; },
            });
          } catch (error) { answer = null; }
          if (answer && (answer.status === 204 || answer.status === 409) && !isNaN(answer.offset)) {
            offset = answer.offset;
          } else if (answer && answer.status < 500 && answer.status !== 0) {
            if (answer.status === 410) {  // cancelled or swept: the next try starts a new upload
              try { window.localStorage.removeItem(key); } catch (error) { /* nothing kept */ }
            }
            throw new Error((answer.body && answer.body.message) || say(texts.failed, { name: file.name }));
          } else {
            offset = await serverOffset(url, view, file);
            if (offset === null) { throw new Error(say(texts.failed, { name: file.name })); }
          }
          view.bar.value = offset;
          var percent = Math.floor((100 * offset) / (file.size || 1));
          view.note.textContent = say(texts.sending, { name: file.name, percent: percent });
          if (Math.floor(percent / 25) !== quarter) {
            quarter = Math.floor(percent / 25);
            announce(view.note.textContent);
          }
        }
        try { window.localStorage.removeItem(key); } catch (error) { /* nothing kept */ }
        view.bar.value = view.bar.max;
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = idsField;
        hidden.value = url.replace(/\/$/, "").split("/").pop();
        view.li.appendChild(hidden);
        removable(view, file, url);
        await verdict(url, view, file, hidden);
      } catch (error) {
        view.li.classList.add("upload-failed");
        view.note.textContent = error.message;
        announce(error.message);
      }
    }

    // A finished file is checked for viruses; a held one is taken out of the form, saying why.
    async function verdict(url, view, file, hidden) {
      for (var tries = 0; tries < 30; tries += 1) {
        var answer = await send("GET", url, { headers: headers() }).catch(function () { return null; });
        var state = answer && answer.body ? answer.body.status : null;
        if (state === "held") {
          hidden.parentNode.removeChild(hidden);
          view.li.classList.add("upload-failed");
          view.note.textContent = answer.body.message;
          announce(answer.body.message);
          return;
        }
        if (state !== "scanning") { break; }
        view.note.textContent = say(texts.checking, { name: file.name });
        await sleep(2000);
      }
      view.note.textContent = say(texts.sent, { name: file.name });
      announce(view.note.textContent);
    }

    input.addEventListener("change", function () {
      Array.prototype.slice.call(input.files).forEach(function (file) {
        pending += 1;
        upload(file).then(function () { pending -= 1; });
      });
      input.value = "";
    });

    form.addEventListener("submit", function (event) {
      if (pending > 0) {
        event.preventDefault();
        announce(texts.wait);
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-upload-url]"), enhance);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
