// SPDX-License-Identifier: EUPL-1.2
// Starts Swagger UI (served by Plein from /static/vendor/swagger-ui) on /api/docs, for the document named in
// the page's data-openapi attribute: a file of its own, because the Content-Security-Policy allows no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
