/* The room page's "Copy" buttons: copy the embed snippet of their textarea. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) { return; }
    var area = document.getElementById(button.getAttribute("data-copy"));
    area.select();
    var done = function () { button.textContent = button.getAttribute("data-done"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, function () {});
    } else if (document.execCommand("copy")) {
      done();
    }
  });
})();
