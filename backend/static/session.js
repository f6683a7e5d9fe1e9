// The session's warning (WCAG 2.2.1): a few minutes before the session ends for lack of
// activity, a message with a button to stay logged in. Without this script, the page still
// says when the session ends and the button still works (it reloads the page).
(function () {
  "use strict";
  var box = document.getElementById("session");
  if (!box) { return; }
  var form = box.querySelector("form");
  var message = document.getElementById("session-message");
  var left = parseInt(box.getAttribute("data-left"), 10);
  var warn = parseInt(box.getAttribute("data-warn"), 10);
  if (!(left > 0) || !form || !message) { return; }
  var full = left;
  var timer = null;
  function schedule(seconds) {
    window.clearTimeout(timer);
    timer = window.setTimeout(showWarning, Math.max(0, seconds - warn) * 1000);
  }
  function showWarning() {
    var minutes = Math.max(1, Math.round(warn / 60));
    message.textContent = "Attention : sans activité, votre session se ferme dans " +
      (minutes === 1 ? "une minute" : minutes + " minutes") +
      ". Ce que vous saisissez serait gardé, mais vous devriez vous reconnecter.";
    box.classList.add("session-warning");
    box.setAttribute("role", "alert");
    form.querySelector("button").focus();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    body.set("js", "1");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", redirect: "error" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        box.classList.remove("session-warning");
        message.textContent = "Session prolongée. Sans activité, elle se ferme dans " +
          Math.round(full / 60) + " minutes.";
        schedule(full);
      })
      .catch(function () {
        message.textContent = "Votre session est déjà fermée. Envoyez votre formulaire : " +
          "après la connexion, vous retrouverez ce que vous avez saisi.";
      });
  });
  schedule(left);
}());
