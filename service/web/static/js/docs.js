// Swagger UI for /docs, from the app's own static files: no CDN, no inline script (the page's policy allows
// scripts from this origin only). The spec's URL comes from the page (data-openapi-url on #swagger-ui).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    validatorUrl: null, // the default asks a validator on another host
    showExtensions: true,
    showCommonExtensions: true,
  });
});
