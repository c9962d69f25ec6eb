// The evidence lightbox opens as the :target of a link and works without this script.
// With it, Escape closes the open photo and the focus goes back to its thumbnail.
(function () {
  "use strict";
  var opener = null;
  document.addEventListener("click", function (event) {
    var thumb = event.target.closest("a.gallery-thumb");
    if (thumb) {
      opener = thumb;
    }
  });
  window.addEventListener("hashchange", function () {
    var open = document.querySelector(".lightbox:target");
    if (open) {
      open.querySelector(".lightbox-close").focus();
    } else if (opener) {
      opener.focus();
      opener = null;
    }
  });
  document.addEventListener("keydown", function (event) {
    var open = document.querySelector(".lightbox:target");
    if (event.key === "Escape" && open) {
      open.querySelector(".lightbox-close").click();
    }
  });
})();
