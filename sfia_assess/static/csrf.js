// Shared deployments: send the session's CSRF token (cookie sfia_csrf) with every
// state-changing request, as the X-CSRF-Token header (htmx) or a csrf_token field (forms).
(function () {
  function token() {
    var m = document.cookie.match(/(?:^|; )sfia_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var signOut = document.getElementById("sign-out");
    if (signOut && token()) { signOut.hidden = false; }
  });
  document.addEventListener("htmx:configRequest", function (e) {
    var t = token();
    if (t) { e.detail.headers["X-CSRF-Token"] = t; }
  });
  document.addEventListener("submit", function (e) {
    var t = token(), form = e.target;
    // POST forms only: in a GET form's URL the token would leak (history, logs, Referer).
    if (!t || !form.elements || form.elements.csrf_token || form.method !== "post") { return; }
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "csrf_token"; input.value = t;
    form.appendChild(input);
  }, true);
})();
