// Live password criteria: marks the length rule and the confirmation as the person types.
// The server checks every rule again; without JavaScript it names the rule that failed.
// The count of characters is shown on every keystroke, but a screen reader hears only a change of
// state (long enough or not, both entries the same or not): a live region that speaks on each key
// talks over the person's own typing echo.
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
  var counter = document.getElementById("password-rules-count");
  var status = document.getElementById("password-rules-status");
  var texts = { met: box.getAttribute("data-met"), count: box.getAttribute("data-count") };
  var announced = null;

  function mark(item, ok) {
    if (!item) { return; }
    item.classList.toggle("met", ok);
    item.classList.toggle("unmet", !ok);
  }

  function update() {
    var value = input.value.normalize ? input.value.normalize("NFKC") : input.value;
    var length = Array.from(value).length;
    var longEnough = length >= min && length <= max;
    var matched = null;
    mark(lengthRule, longEnough);
    if (matchRule && confirm) {
      matchRule.hidden = confirm.value === "";
      matched = confirm.value !== "" && confirm.value === input.value;
      mark(matchRule, matched);
    }
    var said = texts.count ? texts.count.replace("%(count)s", length).replace("%(min)s", min) : "";
    if (counter) { counter.textContent = said + (longEnough && texts.met ? " " + texts.met : ""); }
    var state = longEnough + "/" + matched;
    if (status && announced !== null && state !== announced) {
      var parts = [];
      if (state.split("/")[0] !== announced.split("/")[0]) { parts.push(longEnough ? texts.met : said); }
      if (matchRule && matched !== null && state.split("/")[1] !== announced.split("/")[1]) {
        parts.push(matched ? matchRule.textContent : "");
      }
      status.textContent = parts.join(" ").trim();
    }
    announced = state;
  }

  input.addEventListener("input", update);
  if (confirm) { confirm.addEventListener("input", update); }
  update();  // the state the page starts from is not announced, only its changes
})();
