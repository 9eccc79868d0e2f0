// "Show the answers as I type them": the answers are masked by default (someone may be looking over a
// shoulder); the box appears only with JavaScript, since without it nothing could unmask them.
(function () {
  "use strict";
  var box = document.getElementById("show-answers-box");
  var toggle = document.getElementById("show-answers");
  if (!box || !toggle) { return; }
  box.hidden = false;
  toggle.addEventListener("change", function () {
    document.querySelectorAll("input[data-answer]").forEach(function (input) {
      input.type = toggle.checked ? "text" : "password";
    });
  });
})();
