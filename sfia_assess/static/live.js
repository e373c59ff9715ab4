// A form that checks itself as it is filled in (the form's hx-post, sent on each change) sends
// that check to its own hx-post address, always. htmx sends a form's request to the formaction
// of the submit button last clicked or focused: a live check that fired while "Submit to your
// manager" or "Save" had the focus went to /assessment/submit or /assessment/save instead, beside
// the browser's own submission, and the person was then told it was "already waiting" for review.
(function () {
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.tagName === "FORM" && elt.hasAttribute("hx-post")) {
      e.detail.path = elt.getAttribute("hx-post");
      e.detail.verb = "post";
    }
  });
})();
