// Suggesting the city's members as one types (served by the app; no inline scripts).
//
// - In a comment box (data-people="mention"): after "@" and a few letters, a list of the
//   city's members whose name or email starts with them. Up and Down move through it, Enter
//   or Tab writes the highlighted person's handle, Escape closes it; a click works too.
// - In an objective's Responsible field (data-people="name"): the members are offered as the
//   browser's own suggestions (a <datalist>); any other text can still be written.
//
// The members come from the page's city only (<body data-people-url>, the server answers its
// members alone). Without JavaScript, people type the mention themselves.
(function () {
  "use strict";

  var url = document.body.getAttribute("data-people-url");
  if (!url || !window.fetch) {
    return;
  }
  var counter = 0;
  var cache = {};

  function lookUp(query) {
    if (!cache[query]) {
      cache[query] = fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          return response.ok ? response.json() : { people: [] };
        })
        .then(function (data) {
          return data.people || [];
        })
        .catch(function () {
          delete cache[query];
          return [];
        });
    }
    return cache[query];
  }

  // The "@..." being typed just before the caret, or null: an "@" at the start or after a
  // character that is not a letter or digit, and at most two words after it.
  function typedMention(field) {
    var before = field.value.slice(0, field.selectionStart);
    var match = before.match(/(^|[^\w@])@([^\s@]*(?: [^\s@]*)?)$/);
    if (!match) {
      return null;
    }
    return { start: before.length - match[2].length - 1, query: match[2] };
  }

  function mentionBox(field) {
    var list = document.createElement("ul");
    var id = "mention-list-" + ++counter;
    var state = { people: [], active: -1, mention: null };
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", field.getAttribute("data-people-label") || "People");
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", id);
    field.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true;
      state.people = [];
      state.active = -1;
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      state.active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        field.setAttribute("aria-activedescendant", id + "-" + index);
        list.children[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(index) {
      var person = state.people[index];
      var mention = state.mention;
      if (!person || !mention) {
        return;
      }
      var end = field.selectionStart;
      var text = "@" + person.handle + " ";
      field.value = field.value.slice(0, mention.start) + text + field.value.slice(end);
      var caret = mention.start + text.length;
      field.setSelectionRange(caret, caret);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      close();
      field.focus();
    }

    function show(people) {
      list.textContent = "";
      state.people = people;
      if (!people.length) {
        close();
        return;
      }
      people.forEach(function (person, i) {
        var option = document.createElement("li");
        option.id = id + "-" + i;
        option.setAttribute("role", "option");
        option.textContent = person.name ? person.name + " <" + person.email + ">" : person.email;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the comment box
          choose(i);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      field.setAttribute("aria-expanded", "true");
      highlight(0);
    }

    field.addEventListener("input", function () {
      var mention = typedMention(field);
      state.mention = mention;
      if (!mention) {
        close();
        return;
      }
      lookUp(mention.query).then(function (people) {
        if (state.mention === mention) {
          show(people);
        }
      });
    });
    field.addEventListener("keydown", function (event) {
      if (list.hidden || !state.people.length) {
        return;
      }
      var count = state.people.length;
      if (event.key === "ArrowDown") {
        highlight((state.active + 1) % count);
      } else if (event.key === "ArrowUp") {
        highlight((state.active - 1 + count) % count);
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(state.active);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
    });
    field.addEventListener("blur", close);
  }

  function nameSuggestions(field) {
    var list = document.createElement("datalist");
    list.id = "people-list-" + ++counter;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("list", list.id);
    function refresh() {
      var query = field.value.trim();
      lookUp(query).then(function (people) {
        if (field.value.trim() !== query) {
          return;
        }
        list.textContent = "";
        people.forEach(function (person) {
          var option = document.createElement("option");
          option.value = person.handle;
          option.label = person.email;
          list.appendChild(option);
        });
      });
    }
    field.addEventListener("focus", refresh);
    field.addEventListener("input", refresh);
  }

  function attach(root) {
    root.querySelectorAll("[data-people]").forEach(function (field) {
      if (field.hasAttribute("data-people-ready")) {
        return;
      }
      field.setAttribute("data-people-ready", "");
      if (field.getAttribute("data-people") === "mention") {
        mentionBox(field);
      } else {
        nameSuggestions(field);
      }
    });
  }

  attach(document);
  // An objective's card comes back from the server after a save or a comment (htmx).
  document.body.addEventListener("htmx:afterSettle", function (event) {
    attach(event.target);
  });
})();
