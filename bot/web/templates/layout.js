/* The console's only script (inline, no CDN): the phone menu and list tables as cards. */
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
})();
