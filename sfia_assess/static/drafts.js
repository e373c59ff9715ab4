// The self-assessment form never loses what was typed. A moment after each change the form is
// saved as a draft on the server (POST /assessment/draft); a copy is also kept in this browser
// (localStorage), so that a restart, an ended session or a lost network loses nothing; the
// copy is put back when it is newer than the server's. Leaving with changes the server does
// not have yet asks first. It also marks the fields that were left (their problems are shown
// from then on), focuses the error summary of a refused form, and shows times in local time.
(function () {
  "use strict";
  var DELAY = 1500, RETRY = 5000;
  var dirty = false, leaving = false, inFlight = false, again = false, timer = null;

  function form() { return document.getElementById("assessment"); }
  function ours(el) { return el && el.dataset && el.dataset.draftUrl ? el : null; }
  function token() {
    var m = document.cookie.match(/(?:^|; )sfia_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function keyOf(owner, skill) { return "sfia-draft:" + owner + ":" + skill; }
  function storageKey(f) { return keyOf(f.dataset.draftOwner, f.dataset.draftSkill); }
  function fields(f) { return new URLSearchParams(new FormData(f)).toString(); }
  function readLocal(key) {
    try {
      var v = JSON.parse(window.localStorage.getItem(key) || "null");
      return v && typeof v.fields === "string" && typeof v.saved === "number" ? v : null;
    } catch (e) { return null; }
  }
  function writeLocal(f) {
    try {
      window.localStorage.setItem(storageKey(f), JSON.stringify({ saved: Date.now(), fields: fields(f) }));
    } catch (e) { /* private mode or full: the server's draft still holds */ }
  }
  function forget(key) { try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ } }
  function say(text, problem) {
    var el = document.getElementById("draft-status");
    if (!el) { return; }
    el.textContent = text;
    el.className = problem ? "problem" : "hint";
  }
  function clock(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function save() {
    var f = ours(form());
    timer = null;
    if (!f || !dirty) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true; again = false;
    var body = fields(f), sent = body;
    fetch(f.dataset.draftUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token() },
      body: body
    }).then(function (answer) {
      if (answer.ok) {
        var cur = ours(form());
        if (!again && cur && fields(cur) === sent) { dirty = false; }
        say("Draft saved at " + clock(Date.now()) + ".", false);
      } else if (answer.status === 401 || answer.status === 403) {
        say("Your session has ended, so the draft could not be saved. What you typed is kept in" +
            " this browser: sign in again (in another tab) and it will be saved.", true);
        schedule(RETRY);
      } else {
        say("The draft could not be saved just now; what you typed is kept in this browser." +
            " Trying again.", true);
        schedule(RETRY);
      }
    }).catch(function () {
      say("The server cannot be reached. What you typed is kept in this browser and is saved" +
          " as soon as the server is back.", true);
      schedule(RETRY);
    }).finally(function () {
      inFlight = false;
      if (again) { schedule(DELAY); }
    });
  }
  function schedule(wait) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, wait);
  }
  function changed() {
    var f = ours(form());
    if (!f) { return; }
    dirty = true;
    writeLocal(f);
    schedule(DELAY);
  }

  // Problems of a field are shown once it was left: the field's name goes into `touched`,
  // and the live check is asked again.
  function left(event) {
    var el = event.target, f = ours(form());
    if (!f || !el.name || el.form !== f || !/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) ||
        el.type === "hidden" || el.type === "submit") { return; }
    var touched = document.getElementById("touched");
    if (!touched) { return; }
    var names = touched.value ? touched.value.split(" ") : [];
    if (names.indexOf(el.name) !== -1) { return; }
    names.push(el.name);
    touched.value = names.join(" ");
    if (window.htmx) { window.htmx.trigger(f, "change"); }
  }

  // A newer copy kept in this browser (the server never got it) is put back in the form.
  function restoreLocal(f) {
    if (f.dataset.draftRestore !== "1") { return; }
    var kept = readLocal(storageKey(f));
    var serverSaved = Number(f.dataset.draftSaved || "0");
    if (!kept || kept.saved <= serverSaved + 1000 || kept.fields === fields(f)) { return; }
    fetch("/assessment/edit", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRF-Token": token(),
        "HX-Request": "true"
      },
      body: kept.fields
    }).then(function (answer) {
      if (!answer.ok) { return null; }
      return answer.text();
    }).then(function (html) {
      var old = document.getElementById("workspace");
      if (!html || !old) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#workspace");
      if (!fresh) { return; }
      old.replaceWith(fresh);
      if (window.htmx) { window.htmx.process(fresh); }
      var notice = document.getElementById("draft-notice");
      if (notice) {
        notice.textContent = "Your draft from " + new Date(kept.saved).toLocaleString() +
          ", kept in this browser, is back.";
        notice.hidden = false;
      }
      changed();
    }).catch(function () { /* the copy stays kept for the next time */ });
  }

  // The newest answer wins, and a button that replaces the form (evidence added or removed)
  // wins over any live check: its answer brings the form and its result together. Not shown:
  // an answer to a request sent before the one last shown, and a live check sent while such a
  // button's answer was awaited (the check's form is the one being replaced: leaving the
  // field for the button sends one).
  var sent = 0, shown = 0, shownForm = 0, replacing = 0;
  function replaces(e) { return !!(e.detail.target && e.detail.target.id === "workspace"); }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var xhr = e.detail.xhr;
    xhr.sfiaOrder = ++sent;
    xhr.sfiaReplaces = replaces(e);
    if (xhr.sfiaReplaces) { replacing += 1; } else if (replacing > 0) { xhr.sfiaStale = true; }
    // On the request itself: htmx's own event after it is lost when its button was replaced.
    xhr.addEventListener("loadend", function () { answered(xhr); });
  });
  function answered(xhr) {
    if (xhr.sfiaReplaces && !xhr.sfiaAnswered) { replacing = Math.max(0, replacing - 1); }
    xhr.sfiaAnswered = true;
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr, order = xhr.sfiaOrder || 0;
    answered(xhr);
    if (xhr.sfiaReplaces ? order < shownForm : (xhr.sfiaStale || order < shown)) {
      e.detail.shouldSwap = false;
      return;
    }
    shown = Math.max(shown, order);
    if (xhr.sfiaReplaces) { shownForm = order; }
    // A new result in place of the old one leaves the page where the reader was: reading the
    // result, the result stays where it was on the screen (problems or suggestions shown or
    // taken away in the form above it must not move it); in the form, the page stays put.
    if (e.detail.target && e.detail.target.id === "result") {
      var top = e.detail.target.getBoundingClientRect().top;
      kept = top < window.innerHeight ? { resultTop: top } : { scroll: window.scrollY };
    }
  });
  var kept = null;
  document.addEventListener("htmx:afterSettle", function () {
    if (kept === null) { return; }
    var result = document.getElementById("result");
    if (kept.resultTop !== undefined && result) {
      window.scrollBy(0, result.getBoundingClientRect().top - kept.resultTop);
    } else if (kept.scroll !== undefined) {
      window.scrollTo(window.scrollX, kept.scroll);
    }
    kept = null;
  });
  // A jump the reader asks for ("See your result", any link within the page) wins: a result
  // that lands in the same moment must not take them back to where they were before it.
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("a[href^='#']")) { kept = null; }
  }, true);
  window.addEventListener("hashchange", function () { kept = null; });

  // A suggestion ticks its statement in place (no round trip that replaces the form); the
  // live check that follows takes the suggestion away. Without this script the server does it.
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button[name=action]") : null;
    var found = button ? /^support-(\d+)-(.+)$/.exec(button.value) : null;
    var box = found ? document.getElementById("evidence-" + found[1] + "-supports-" + found[2]) : null;
    if (!box || !ours(box.form)) { return; }
    e.preventDefault();
    e.stopPropagation();
    box.checked = true;
    box.focus();
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }, true);

  document.addEventListener("input", function (e) { if (ours(e.target.form)) { changed(); } });
  document.addEventListener("change", function (e) { if (ours(e.target.form)) { changed(); } });
  document.addEventListener("focusout", left);
  // A button that replaced the form (evidence added or removed) changed it too.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target && e.target.id === "workspace") { changed(); }
  });
  // The live result could not be had: say so where the result is read.
  document.addEventListener("htmx:sendError", function () {
    var status = document.getElementById("live-status");
    say("The server cannot be reached. What you typed is kept in this browser and is saved" +
        " as soon as the server is back.", true);
    if (status) { status.textContent = "The server cannot be reached; your result will update when it is back."; }
  });
  document.addEventListener("submit", function (e) {
    if (!ours(e.target)) { return; }
    leaving = true;  // a save, a submit or a download: not leaving with work unsaved
    window.setTimeout(function () { leaving = false; }, 3000);
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !leaving) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
  window.addEventListener("pagehide", function () {
    var f = ours(form());
    if (!f || !dirty || !navigator.sendBeacon) { return; }
    var body = new URLSearchParams(new FormData(f));
    body.set("csrf_token", token());
    navigator.sendBeacon(f.dataset.draftUrl, body);
  });

  // Each evidence item's list of statements opens where its first ticked statement is.
  function showTicked(root) {
    root.querySelectorAll(".supports-list").forEach(function (list) {
      var first = list.querySelector("input:checked");
      if (first) { list.scrollTop = first.parentNode.offsetTop - list.offsetTop - 24; }
    });
  }
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target && e.target.id === "workspace") { showTicked(e.target); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    showTicked(document);
    document.querySelectorAll("[data-draft-dropped]").forEach(function (el) {
      forget(keyOf(el.dataset.draftOwner, el.dataset.draftDropped));
    });
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when.getTime())) { el.textContent = when.toLocaleString(); }
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    var f = ours(form());
    if (f) { restoreLocal(f); }
  });
})();
