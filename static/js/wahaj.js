/* Wahaj: behaviour every page shares (no inline scripts: the CSP forbids them). */
(function () {
  "use strict";

  // A table wider than the screen scrolls sideways: keyboard users must be able to reach it
  // (focusable region, named after its caption or the heading before it).
  function scrollableTablesFocusable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) {
        return;
      }
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        var caption = box.querySelector("caption");
        var heading = caption ? null : box.previousElementSibling;
        var name = caption ? caption.textContent : (heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent : document.title);
        box.setAttribute("aria-label", name.trim());
      }
    });
  }

  // After a form is refused, move focus to the first error so it is read out and visible.
  function focusFirstError() {
    var invalid = document.querySelector("main .is-invalid, main [aria-invalid=true]");
    if (invalid && typeof invalid.focus === "function") {
      invalid.focus({ preventScroll: false });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    scrollableTablesFocusable();
    focusFirstError();
  });
  window.addEventListener("resize", scrollableTablesFocusable);
})();
