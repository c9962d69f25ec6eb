// The review page: words a moderator selects in a text under review are copied into the
// redaction form, with the text they come from, so nothing has to be retyped exactly.
// Without JavaScript the moderator copies and pastes them into the same field.
(function () {
  "use strict";
  var form = document.getElementById("redact-form");
  if (!form) {
    return;
  }
  var selectionInput = form.querySelector("[name=selection]");
  var fieldSelect = form.querySelector("select[name=field]");
  form.querySelectorAll(".js-only").forEach(function (hint) {
    hint.hidden = false;
  });

  function reviewBodyOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest(".review-body") : null;
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return;
    }
    var range = selection.getRangeAt(0);
    var body = reviewBodyOf(range.startContainer);
    // Only a selection inside one text: half a title and half a story is nothing to remove.
    if (!body || reviewBodyOf(range.endContainer) !== body) {
      return;
    }
    var text = selection.toString();
    if (!text.trim()) {
      return;
    }
    selectionInput.value = text;
    if (fieldSelect) {
      fieldSelect.value = body.dataset.field;
    }
  });
})();
