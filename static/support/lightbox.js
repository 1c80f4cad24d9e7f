/* Photos on the support case page open in a lightbox (<dialog>): Esc or the Close button
   closes it and focus goes back to the photo; ←/→ or the buttons step through the photos.
   Without script the links open the image itself. */
(function () {
  "use strict";
  var dialog = document.getElementById("support-lightbox");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var image = document.getElementById("support-lightbox-image");
  var caption = document.getElementById("support-lightbox-caption");
  var original = document.getElementById("support-lightbox-open");
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-lightbox]"));
  var current = -1;
  var opener = null;

  function show(index) {
    if (!links.length) { return; }
    current = (index + links.length) % links.length;
    var link = links[current];
    var thumb = link.querySelector("img");
    image.src = link.href;
    image.alt = thumb ? thumb.alt : "";
    caption.textContent = link.getAttribute("data-caption") + " (" + (current + 1) + "/" + links.length + ")";
    original.href = link.href;
  }

  links.forEach(function (link, index) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      opener = link;
      show(index);
      dialog.showModal();
      dialog.querySelector("[data-lightbox-close]").focus();
    });
  });
  dialog.querySelectorAll("[data-lightbox-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      show(current + parseInt(button.getAttribute("data-lightbox-step"), 10));
    });
  });
  dialog.querySelector("[data-lightbox-close]").addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
  });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) { dialog.close(); }  /* a click on the backdrop */
  });
  dialog.addEventListener("close", function () {
    image.removeAttribute("src");
    if (opener) { opener.focus(); }
  });
})();
