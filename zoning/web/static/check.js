// Vérifier un lieu: suggestions of communes, the answer focused, the small map.
// The check itself works without this script (a plain GET form).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-communes");
  var timer = null;
  var last = "";
  if (input && list) {
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (timer) { clearTimeout(timer); }
      if (text.length < 2 || /\d/.test(text) || text === last) { return; }
      timer = setTimeout(function () {
        last = text;
        fetch("/api/communes?limit=10&prefix=" + encodeURIComponent(text))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            items.forEach(function (c) {
              var option = document.createElement("option");
              option.value = c.label;
              option.textContent = c.name + " — département " + c.departement;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a help, the form still works */ });
      }, 150);
    });
  }

  var answer = document.getElementById("reponse");
  if (answer) { answer.focus(); }

  var box = document.getElementById("carte");
  if (!box || typeof L === "undefined") { return; }
  var colors = JSON.parse(box.dataset.colors || "{}");
  var map = L.map(box, { attributionControl: false, scrollWheelZoom: false });
  var url = "/api/commune/" + encodeURIComponent(box.dataset.code) + "/voisinage";
  if (box.dataset.date) { url += "?date=" + encodeURIComponent(box.dataset.date); }
  fetch(url)
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var focus = null;
      var layer = L.geoJSON(data, {
        style: function (f) {
          var p = f.properties;
          return {
            color: p.focus ? "#000091" : "#555",
            weight: p.focus ? 3 : 0.6,
            fillColor: colors[p.zone] || "#9e9e9e",
            fillOpacity: p.focus ? 0.8 : 0.55
          };
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip(document.createTextNode(p.name + " (" + p.code + ") : " + p.zone));
          if (p.focus) { focus = l; }
        }
      }).addTo(map);
      map.fitBounds((focus || layer).getBounds(), { padding: [20, 20] });
      if (focus) { focus.bringToFront(); }
      if (box.dataset.lon) {
        L.circleMarker([parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)], {
          radius: 7, color: "#000091", weight: 3, fillColor: "#fff", fillOpacity: 1
        }).addTo(map).bindTooltip("Lieu vérifié");
      }
      box.dataset.ready = "1";
    })
    .catch(function () { box.dataset.ready = "erreur"; });
}());
