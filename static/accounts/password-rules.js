// Live password criteria: marks the length rule and the confirmation as the person types.
// The server checks every rule again; without JavaScript it names the rule that failed.
(function () {
  "use strict";
  var box = document.getElementById("password-rules");
  var input = document.querySelector("input[data-password-rules]");
  if (!box || !input) { return; }
  var confirm = document.querySelector("input[data-password-confirm]");
  var min = parseInt(box.getAttribute("data-min"), 10) || 15;
  var max = parseInt(box.getAttribute("data-max"), 10) || 256;
  var lengthRule = box.querySelector("[data-check='length']");
  var matchRule = box.querySelector("[data-check='match']");
  var status = document.getElementById("password-rules-status");
  var texts = { met: box.getAttribute("data-met"), count: box.getAttribute("data-count") };

  function mark(item, ok) {
    if (!item) { return; }
    item.classList.toggle("met", ok);
    item.classList.toggle("unmet", !ok);
  }

  function update() {
    var value = input.value.normalize ? input.value.normalize("NFKC") : input.value;
    var length = Array.from(value).length;
    var longEnough = length >= min && length <= max;
    mark(lengthRule, longEnough);
    if (matchRule && confirm) {
      matchRule.hidden = confirm.value === "";
      mark(matchRule, confirm.value !== "" && confirm.value === input.value);
    }
    if (status && texts.count) {
      status.textContent = texts.count.replace("%(count)s", length).replace("%(min)s", min) +
        (longEnough && texts.met ? " " + texts.met : "");
    }
  }

  input.addEventListener("input", update);
  if (confirm) { confirm.addEventListener("input", update); }
  if (input.value || (confirm && confirm.value)) { update(); }  // typed before this script ran
})();
