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
  // A form that creates something carries a one-time token (input name="once", core/once.py):
  // the server already answers a second post with the first result; disabling its buttons
  // once it is sent just spares the second request. Disabled after the browser has read the
  // form (a disabled submitter would not be sent), and enabled again when the page comes back
  // from the history cache.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.querySelector('input[name="once"], input[name$="-once"]')) {
      return;
    }
    window.setTimeout(function () {
      form.querySelectorAll('button[type="submit"], button:not([type])').forEach(function (b) {
        if (!b.disabled) {
          b.disabled = true;
          b.setAttribute("data-sent", "");
        }
      });
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-sent]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("data-sent");
    });
  });
  // A search field with autofocus takes keystrokes while the page is still loading, before
  // htmx listens to it (the paper-ballot desk: a secretary types as soon as the page opens).
  // Once htmx has processed the page, ask it for what was typed meanwhile.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.htmx) {
      return;
    }
    document.querySelectorAll('input[hx-trigger*="input"]').forEach(function (input) {
      // htmx took the typed value as its starting point ("changed" would not fire for it):
      // send the same request it would have sent.
      if (input.value !== input.defaultValue && input.getAttribute("hx-get")) {
        var values = {};
        values[input.name] = input.value;
        window.htmx.ajax("GET", input.getAttribute("hx-get"), {
          source: input,
          target: input.getAttribute("hx-target") || input,
          swap: input.getAttribute("hx-swap") || "innerHTML",
          values: values,
        });
      }
    });
  });
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
