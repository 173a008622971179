/* The letter form: pick an archived version as you type an item (the page works without it:
   the version id can be typed, or the item left as free text). No inline script (CSP). */
"use strict";
(function () {
  function row(el) { return el.closest(".butir-baris"); }

  function link(input, pick) {
    var r = row(input);
    r.querySelector("input[name=versi]").value = pick ? String(pick.version_id) : "";
    var note = r.querySelector(".pilihan");
    note.textContent = "";
    note.hidden = !pick;
    if (!pick) { return; }
    note.append("tertaut ke arsip: dokumen #" + pick.document_id + " versi " + pick.version_no + " (" + pick.status + ") ");
    var off = document.createElement("button");
    off.type = "button"; off.className = "tautan-lepas"; off.textContent = "lepas";
    off.addEventListener("click", function () { link(input, null); input.focus(); });
    note.append(off);
  }

  function close(list) { if (list) { list.remove(); } }

  function show(input, picks) {
    var r = row(input);
    close(r.querySelector("ul.saran"));
    if (!picks.length) { return; }
    var list = document.createElement("ul");
    list.className = "saran"; list.setAttribute("role", "listbox");
    picks.forEach(function (pick) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button"; b.setAttribute("role", "option"); b.textContent = pick.label;
      b.addEventListener("click", function () {
        input.value = pick.uraian;
        link(input, pick);
        close(list);
      });
      li.append(b); list.append(li);
    });
    input.closest("label").after(list);
  }

  document.querySelectorAll("input[data-pilih]").forEach(function (input) {
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (!input.value.trim()) { link(input, null); }
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === asked) { return; }
        asked = q;
        fetch(input.dataset.pilih + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {versi: []}; })
          .then(function (data) { if (input.value.trim() === q) { show(input, data.versi); } })
          .catch(function () { /* no picks: the item stays as typed */ });
      }, 250);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { close(row(input).querySelector("ul.saran")); }
    });
  });

  var form = document.getElementById("surat-baru");
  if (form) {
    form.addEventListener("submit", function () {  // one click, one number
      var b = form.querySelector("button[type=submit]");
      setTimeout(function () { b.disabled = true; b.textContent = "Sedang diberi nomor…"; }, 0);
    });
  }
})();
