// The interactive API documentation (Swagger UI, served from our own static files).
window.addEventListener("load", function () {
  if (typeof SwaggerUIBundle === "undefined") {
    document.getElementById("swagger-ui").textContent = "Swagger UI assets missing: run `make assets`.";
    return;
  }
  SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui" });
});
