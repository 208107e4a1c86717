// The action form's objective picker (planning/_objective_picker.html): a filter box that
// finds objectives by code or words, and arrow keys between the visible ticks. Without this
// script the grouped ticks work on their own.
(function () {
  "use strict";

  function words(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean);
  }

  function setUp(picker) {
    var find = picker.querySelector(".objective-picker__find");
    var filter = picker.querySelector("[data-picker-filter]");
    var found = picker.querySelector("[data-picker-found]");
    var chosen = picker.querySelector("[data-picker-chosen]");
    var policies = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-policy]"));
    var choices = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-choice]"));
    var opened = policies.map(function (policy) { return policy.open; });
    var haystacks = choices.map(function (choice) {
      var policy = choice.closest("[data-picker-policy]");
      var stage = choice.closest("fieldset");
      return words(
        choice.textContent + " " + policy.querySelector("summary").textContent + " " +
        stage.querySelector("legend").textContent
      ).join(" ");
    });

    function boxes() {
      return choices
        .filter(function (choice) { return !choice.hidden && !choice.closest("[hidden]"); })
        .map(function (choice) { return choice.querySelector("input"); })
        .filter(function (box) { return !box.closest("details:not([open])"); });
    }

    function showChosen() {
      var codes = choices
        .map(function (choice) { return choice.querySelector("input"); })
        .filter(function (box) { return box.checked; })
        .map(function (box) { return box.value; });
      chosen.textContent = codes.length
        ? chosen.dataset.some + " " + codes.join(", ")
        : chosen.dataset.none;
    }

    function apply() {
      var query = words(filter.value);
      var count = 0;
      choices.forEach(function (choice, index) {
        var match = query.every(function (word) { return haystacks[index].indexOf(word) !== -1; });
        choice.hidden = !match;
        if (match) { count += 1; }
      });
      picker.querySelectorAll(".objective-picker__stage").forEach(function (stage) {
        stage.hidden = !stage.querySelector("[data-picker-choice]:not([hidden])");
      });
      policies.forEach(function (policy, index) {
        var any = policy.querySelector("[data-picker-choice]:not([hidden])");
        policy.hidden = !any;
        policy.open = query.length
          ? Boolean(any)
          : opened[index] || Boolean(policy.querySelector("input:checked"));
      });
      var said = ngettext("One objective matches.", "%(count)s objectives match.", count);
      found.textContent = query.length ? interpolate(said, { count: count }, true) : "";
    }

    find.hidden = false;
    filter.addEventListener("input", apply);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault(); // Enter here finds; it does not send the form
        var first = boxes()[0];
        if (first) { first.focus(); }
      }
    });
    picker.addEventListener("keydown", function (event) {
      var box = event.target;
      if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") { return; }
      var list = boxes();
      var at = list.indexOf(box);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = list[at + (event.key === "ArrowDown" ? 1 : -1)];
        if (next) { next.focus(); } else if (event.key === "ArrowUp") { filter.focus(); }
      } else if (event.key === "Escape") {
        event.preventDefault();
        filter.focus();
      } else if (event.key === "Enter") {
        event.preventDefault(); // Enter on a tick ticks it, as Space does
        box.click();
      }
    });
    picker.addEventListener("change", showChosen);
  }

  document.querySelectorAll("[data-objective-picker]").forEach(setUp);
})();
