/* Behaviour of the back office under the app's Content-Security-Policy, which
   refuses inline event handlers: the language switch, confirmations, and the two
   inline handlers of Flask-Admin's own templates (bulk actions, delete). */
(function () {
  "use strict";

  function onInlineHandlers() {
    Array.prototype.forEach.call(document.querySelectorAll("[onclick]"), function (el) {
      var code = el.getAttribute("onclick") || "";
      var action = /modelActions\.execute\('([^']*)'\)/.exec(code);
      if (action) {
        el.addEventListener("click", function (event) {
          event.preventDefault();
          window.modelActions.execute(action[1]);
        });
        return;
      }
      var confirmation = /faHelpers\.safeConfirm\('((?:[^'\\]|\\.)*)'\)/.exec(code);
      if (confirmation) {
        el.addEventListener("click", function (event) {
          if (!window.confirm(confirmation[1].replace(/\\'/g, "'"))) { event.preventDefault(); }
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var locale = document.getElementById("airq-locale");
    if (locale) {
      locale.addEventListener("change", function () { locale.form.submit(); });
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    onInlineHandlers();
  });
})();
