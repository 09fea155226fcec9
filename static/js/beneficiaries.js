// Household formset: "Add a household member" clones the empty form (CSP: no inline script).
(function () {
  "use strict";
  var button = document.getElementById("add-member");
  var template = document.getElementById("household-empty");
  var rows = document.getElementById("household-rows");
  var total = document.getElementById("id_household-TOTAL_FORMS");
  if (!button || !template || !rows || !total) {
    return;
  }
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input");
    if (first) {
      first.focus();
    }
  });
})();
