// The company's answer form: the offer fields show only while the kind of message is "Offer".
// Without JavaScript they stay visible, and their legend says they are for an offer only.
// Fields that hold a value or an error stay visible whatever the kind, so nothing typed is hidden.
(function () {
  "use strict";
  document.querySelectorAll("form.company-form").forEach(function (form) {
    var kind = form.querySelector("select[name=kind]");
    var offer = form.querySelector("fieldset.offer-fields");
    if (!kind || !offer) {
      return;
    }
    function holdsSomething() {
      if (offer.querySelector(".field-error")) {
        return true;
      }
      return Array.prototype.some.call(offer.querySelectorAll("input, select"), function (field) {
        return field.value !== "";
      });
    }
    function update() {
      offer.hidden = kind.value !== "offer" && !holdsSomething();
    }
    kind.addEventListener("change", update);
    update();
  });
})();
