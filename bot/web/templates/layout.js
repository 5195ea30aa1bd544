/* The console's only script (inline, no CDN): the phone menu, list tables as cards, each form
   error placed next to its field, and audience ticks that keep the chosen scope honest. Without
   it every page still works: the menu stays open, tables stay tables, the banner says what went
   wrong, and the server refuses ticks that disagree with the chosen scope. */
(function () {
  var doc = document.documentElement, menu = document.getElementById("menu-toggle");
  doc.classList.add("js");
  if (menu) {
    menu.hidden = false;
    menu.addEventListener("click", function () {
      var open = menu.getAttribute("aria-expanded") !== "true";
      menu.setAttribute("aria-expanded", String(open));
      doc.classList.toggle("menu-open", open);
    });
  }
  /* A list table (first row all <th>) becomes cards on a phone: each cell is labelled with its
     column's heading unless the template gave it a data-label. class="no-cards" opts out. */
  document.querySelectorAll("main table:not(.no-cards)").forEach(function (table) {
    var head = table.rows[0];
    if (!head || head.cells.length < 2) return;
    for (var i = 0; i < head.cells.length; i++) if (head.cells[i].tagName !== "TH") return;
    table.classList.add("stack");
    head.classList.add("head");
    for (var r = 1; r < table.rows.length; r++) {
      var cells = table.rows[r].cells;
      for (var c = 0; c < cells.length && c < head.cells.length; c++) {
        if (!cells[c].hasAttribute("data-label")) cells[c].setAttribute("data-label", head.cells[c].textContent.trim());
      }
    }
  });
  /* Field errors (name → reason, from the server) go right after their input, which is marked
     invalid and described by them; a server-rendered .field-error is left as it is. */
  var data = document.getElementById("field-errors"), given = data ? JSON.parse(data.textContent) : {};
  var errors = given.fields || {}, action = (given.action || "").replace(/["\\]/g, "");
  Object.keys(errors).forEach(function (name) {
    var field = '[name="' + name.replace(/["\\]/g, "") + '"]:not([type=hidden])';
    var input = (action && document.querySelector('main form[action="' + action + '"] ' + field)) ||
      document.querySelector("main " + field);
    var id = "error-" + name.replace(/[^A-Za-z0-9_-]/g, "");
    if (!input || document.getElementById(id)) return;
    var note = document.createElement("span");
    note.className = "field-error";
    note.id = id;
    note.textContent = errors[name];
    var group = input.closest("fieldset, label.field, .field");
    if (group) group.appendChild(note); else input.insertAdjacentElement("afterend", note);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
  });
  /* An audience never silently widens: ticking a building (data-scope="buildings") chooses
     「指定楼栋」, and choosing another scope clears the ticks that no longer apply. */
  document.querySelectorAll("input[data-scope]").forEach(function (box) {
    box.addEventListener("change", function () {
      var radio = box.form && box.form.querySelector('input[type=radio][name=scope][value="' + box.getAttribute("data-scope") + '"]');
      if (box.checked && radio && !radio.checked) { radio.checked = true; radio.dispatchEvent(new Event("change")); }
    });
  });
  document.querySelectorAll("input[type=radio][name=scope]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!radio.checked || !radio.form) return;
      radio.form.querySelectorAll("input[data-scope]").forEach(function (box) {
        if (box.getAttribute("data-scope") !== radio.value) box.checked = false;
      });
    });
  });
})();
