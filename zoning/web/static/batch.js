// Vérifier une liste: the upload's progress, then the run's, without reloading the page
// every two seconds. Without this script the form posts as usual and the run page
// refreshes itself (<noscript> meta refresh).
(function (script) {
  "use strict";
  var form = document.getElementById("envoi");
  if (form && window.XMLHttpRequest && window.FormData) {
    form.addEventListener("submit", function (event) {
      var box = document.getElementById("envoi-progression");
      var bar = document.getElementById("envoi-avancement");
      var label = document.getElementById("envoi-etat");
      var xhr = new XMLHttpRequest();
      event.preventDefault();
      box.hidden = false;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((100 * e.loaded) / e.total);
          label.textContent = "Envoi du fichier : " + bar.value + " %";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 200 && xhr.responseURL.indexOf("/liste/") !== -1) {
          window.location.assign(xhr.responseURL);  // the column mapping page
        } else {
          form.submit();  // a refusal: let the server's page say why
        }
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.open("POST", form.action);
      xhr.send(new FormData(form));
    });
  }

  var status = document.getElementById("progression");
  var url = window.location.pathname.replace(/\/$/, "") + "/etat";
  if (!status || !/^\/liste\/[^/]+$/.test(window.location.pathname)) { return; }
  // The state the page shows: when it changes (done, or an error), the page reloads.
  var seen = script ? script.getAttribute("data-cle") : null;
  function poll() {
    fetch(url, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        var key = s.etat;
        if (seen !== null && key !== seen) { window.location.reload(); return; }
        seen = key;
        var bar = document.getElementById("avancement");
        var stage = document.getElementById("etape");
        if (bar && stage) {
          bar.max = s.total || 1;
          bar.value = s.faites;
          stage.textContent = "Étape : " + s.etape + (s.total ? " — " + s.faites + " / " + s.total + " lignes" : "");
        }
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
}(document.currentScript));
