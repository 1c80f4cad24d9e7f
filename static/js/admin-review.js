/* Review pages in the admin: keyboard shortcuts outside text fields — A moves focus to
   Approve, R to the first reason (template or text), N opens the next item; Ctrl+Enter (or
   ⌘+Enter) in the reason text sends the rejection. Focus moves, nothing is submitted by a
   single key: Enter on the focused button decides. */
(function () {
  "use strict";
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable ||
      (tag === "INPUT" && !/^(checkbox|radio|submit|button)$/.test(el.type));
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var key = event.key.toLowerCase();
    var target = null;
    if (key === "a") { target = document.getElementById("review-approve"); }
    if (key === "r") {
      target = document.querySelector(".review-reasons input[type=checkbox]") ||
        document.querySelector(".review-reject-form textarea");
    }
    if (key === "n") {
      var next = document.getElementById("review-next");
      if (next) { event.preventDefault(); window.location.assign(next.href); }
      return;
    }
    if (target) { event.preventDefault(); target.focus(); }
  });
  document.querySelectorAll(".review-reject-form textarea").forEach(function (area) {
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        area.form.requestSubmit(area.form.querySelector(".review-reject"));
      }
    });
  });
})();
