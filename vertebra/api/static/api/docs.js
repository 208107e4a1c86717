// The API's documentation page: Swagger UI with the settings the page carries (no inline script).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var settings = JSON.parse(root.dataset.settings);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  SwaggerUIBundle(settings);
})();
