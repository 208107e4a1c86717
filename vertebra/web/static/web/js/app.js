// Vertebra in the browser, on top of htmx 2 (served by the app; no inline scripts).
(function () {
  "use strict";

  // A status says what happened. These answers carry a message for the person, so they are
  // shown (swapped) like a success, while monitoring still sees the honest status:
  // 400 check the fields, 401 session ended, 403 not allowed, 409 someone else saved,
  // 413 too large (the file or form; NOT saved), 503 database unavailable, 507 storage full
  // (both: the change was NOT saved).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "^[23]..$", swap: true },
    { code: "^(400|401|403|409|413)$", swap: true, error: false },
    { code: "^(503|507)$", swap: true, error: true },
    { code: "^[45]..$", swap: false, error: true },
    { code: "...", swap: false }
  ];

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Send the current CSRF token: after logging in again in another tab (session ended), the
  // token in this page's forms is an old one, and "save again" must still work.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfCookie();
    if (!token) {
      return;
    }
    event.detail.headers["X-CSRFToken"] = token;
    delete event.detail.parameters.csrfmiddlewaretoken;
  });

  // A new alert replaces the previous one at the top of the same place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && event.detail.shouldSwap) {
      target.querySelectorAll(":scope > [data-transient]").forEach(function (old) {
        old.remove();
      });
    }
  });

  function say(text) {
    var box = document.getElementById("messages");
    if (!box || !text) {
      return;
    }
    var line = document.createElement("p");
    line.className = "message message--error";
    line.setAttribute("role", "alert");
    line.textContent = text;
    box.replaceChildren(line);
    box.scrollIntoView({ block: "start" });
  }

  // Answers that carry no message, and a server out of reach: say so; the form keeps its input.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status !== 503 && status !== 507) {
      say(gettext("Something went wrong: your change may NOT have been saved. Reload the page to see what was kept."));
    }
  });
  document.addEventListener("htmx:sendError", function () {
    say(gettext("The server cannot be reached: your change was NOT saved. Check your connection and save again; what you typed is still here."));
  });

  // Unsaved typing: leaving the page asks first. A form counts as unsaved from the first
  // input until it is sent and saved; a form sent back with a refusal (400, 401, 403, 409)
  // still holds unsaved input.
  var unsaved = new Set();
  function formOf(element) {
    return element && element.closest ? element.closest("form[method=post]") : null;
  }
  function track(event) {
    var form = formOf(event.target);
    if (form && !form.hasAttribute("data-leave-freely")) {
      unsaved.add(form);
    }
  }
  document.addEventListener("input", track);
  document.addEventListener("change", track);
  document.addEventListener("submit", function (event) {
    if (!event.target.hasAttribute("hx-post")) {
      unsaved.delete(event.target);  // a plain post: the page is left on purpose
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = formOf(event.detail.elt);
    if (form && event.detail.successful) {
      unsaved.delete(form);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && event.detail.target) {
      event.detail.target.querySelectorAll("form[method=post]").forEach(function (form) {
        unsaved.add(form);
      });
      var own = formOf(event.detail.target);
      if (own) {
        unsaved.add(own);
      }
    }
  });
  window.addEventListener("beforeunload", function (event) {
    var pending = Array.from(unsaved).some(function (form) {
      return form.isConnected;
    });
    if (pending) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // After a save (with Enter or the button) the swapped card keeps the focus where it was.
  var focused = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focused = active && active.id ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focused) {
      return;
    }
    var again = document.getElementById(focused);
    focused = null;
    if (again && again !== document.activeElement) {
      again.focus({ preventScroll: true });
    }
  });
})();
