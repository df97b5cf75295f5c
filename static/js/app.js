// Small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // Ask before destructive actions marked data-confirm.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  // A refused action (4xx with X-Refusal or HX-Retarget) carries its message or the form
  // again with the reason: let htmx swap it instead of dropping it as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 &&
        (xhr.getResponseHeader("X-Refusal") || xhr.getResponseHeader("HX-Retarget"))) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Show htmx error fragments: htmx 2 does not swap 4xx/5xx unless the server retargets.
  document.addEventListener("htmx:responseError", function (event) {
    var target = document.getElementById("messages");
    if (target && event.detail && event.detail.xhr && !event.detail.xhr.getResponseHeader("HX-Retarget")) {
      target.textContent = event.detail.xhr.status + " " + event.detail.xhr.statusText;
    }
  });
})();
