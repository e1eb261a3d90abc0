// Starts Swagger UI in the page's #swagger-ui element on the OpenAPI document that the
// element's data-spec-url names. It is a file of its own, not an inline script, so the
// page's Content-Security-Policy can forbid inline scripts.
"use strict";

(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // No badge from the public validator: the CSP allows no other origin.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
  });
})();
