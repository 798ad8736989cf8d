/* The public "which grid am I in" page (grids/public_find.py): "use my position" asks the
   browser for the phone's position (WGS 84) and submits it; the server answers with the
   grid card of the grid holding it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-ng-find-position]");
    if (!form) { return; }
    var note = form.querySelector("#position-note");
    form.querySelector("#find-by-position").addEventListener("click", function () {
      if (!navigator.geolocation) { note.textContent = form.dataset.labelNoGps; return; }
      note.textContent = form.dataset.labelLocating;
      navigator.geolocation.getCurrentPosition(function (p) {
        form.querySelector("[name=lat]").value = p.coords.latitude.toFixed(6);
        form.querySelector("[name=lon]").value = p.coords.longitude.toFixed(6);
        form.submit();
      }, function () { note.textContent = form.dataset.labelNoGps; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  });
})();
