/* Maps of the grids (Leaflet, vendored). Boundaries and points are WGS 84, drawn on a plain
   background unless the page names a tile server (settings.MAP_TILE_URL: 天地图 or the
   authority's own, in WGS 84 / CGCS2000). Two kinds of element:
   - [data-ng-area-map]: an area's outline, its children's, and its open events;
   - [data-ng-picker]: the report form's position picker ("use my position" and a
     draggable pin) that fills latitude/longitude and suggests the grid. */
(function () {
  "use strict";
  var NINGBO = [29.87, 121.55];
  // The pin's images by their collected addresses (grids/templatetags/maps.py): Leaflet's own
  // guess from its stylesheet's name fails on collectstatic's hashed names.
  var assets = document.currentScript && document.currentScript.dataset;
  if (assets && assets.markerIcon) {
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({
      iconUrl: assets.markerIcon, iconRetinaUrl: assets.markerIcon2x, shadowUrl: assets.markerShadow
    });
  }

  function baseMap(el) {
    var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function areaMap(el) {
    var map = baseMap(el);
    map.setView(NINGBO, 11);
    getJSON(el.dataset.boundaryUrl).then(function (collection) {
      var outline = collection.features.slice(0, 1), children = collection.features.slice(1);
      L.geoJSON({ type: "FeatureCollection", features: children }, {
        style: { color: "#6c757d", weight: 1, fillOpacity: 0.05 },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); }
      }).addTo(map);
      var own = L.geoJSON({ type: "FeatureCollection", features: outline }, { style: { color: "#0d6efd", weight: 3, fillOpacity: 0 } }).addTo(map);
      if (own.getBounds().isValid()) {
        map.fitBounds(own.getBounds());
        var b = own.getBounds();
        var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
        return getJSON(el.dataset.eventsUrl + "&bbox=" + bbox);
      }
      return null;
    }).then(function (events) {
      if (!events) { el.dataset.ready = "1"; return; }
      L.geoJSON(events, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: "#dc3545", fillOpacity: 0.8 });
        },
        onEachFeature: function (f, layer) { layer.bindPopup(f.properties.number + " " + f.properties.title); }
      }).addTo(map);
      el.dataset.events = String(events.features.length);
      el.dataset.ready = "1";
    }).catch(function () { el.dataset.ready = "error"; });
  }

  function picker(el) {
    var form = el.closest("form");
    var lat = form.querySelector("[name=latitude]"), lon = form.querySelector("[name=longitude]");
    var datum = form.querySelector("[name=datum]");
    var note = el.querySelector("[data-ng-suggestion]");
    var map = baseMap(el.querySelector("[data-ng-picker-map]"));
    var start = lat.value && lon.value ? [parseFloat(lat.value), parseFloat(lon.value)] : NINGBO;
    map.setView(start, lat.value ? 17 : 11);
    var pin = L.marker(start, { draggable: true, autoPan: true });
    if (lat.value) { pin.addTo(map); }
    var outline = null;

    function suggest(code, name) {
      var select = form.querySelector("[name=area]");
      var option = select && Array.prototype.find.call(select.options, function (o) { return o.text.indexOf("（" + code + "）") !== -1; });
      if (option && select.value !== option.value) {
        select.value = option.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));  // refreshes the item list (htmx)
      }
      note.textContent = (option ? el.dataset.labelSelected : el.dataset.labelSuggested) + name + "（" + code + "）";
      el.dataset.suggested = code;
    }

    function place(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (datum) { datum.value = "wgs84"; }
      el.dataset.suggested = "";
      getJSON(el.dataset.locateUrl + "?lat=" + lat.value + "&lon=" + lon.value).then(function (found) {
        var areas = found.areas.filter(function (a) { return a.level === "micro_grid" || a.level === "grid"; });
        if (!areas.length) { note.textContent = el.dataset.labelNone; el.dataset.suggested = "none"; return; }
        var best = areas[areas.length - 1];
        var grid = areas[0];
        var select = form.querySelector("[name=area]");
        var offered = select && Array.prototype.some.call(select.options, function (o) { return o.text.indexOf("（" + best.code + "）") !== -1; });
        if (!offered) { best = grid; }
        suggest(best.code, best.name);
        return getJSON(el.dataset.boundaryUrl.replace("330200000000", best.code)).then(function (collection) {
          if (outline) { map.removeLayer(outline); }
          outline = L.geoJSON(collection, { style: { color: "#0d6efd", weight: 2, fillOpacity: 0.05 } }).addTo(map);
        });
      }).catch(function () { note.textContent = el.dataset.labelNone; el.dataset.suggested = "none"; });
    }

    pin.on("dragend", function () { place(pin.getLatLng()); });
    map.on("click", function (e) { pin.setLatLng(e.latlng).addTo(map); place(e.latlng); });
    el.querySelector("[data-ng-use-position]").addEventListener("click", function () {
      if (!navigator.geolocation) { note.textContent = el.dataset.labelNoGps; return; }
      note.textContent = el.dataset.labelLocating;
      navigator.geolocation.getCurrentPosition(function (p) {
        var latlng = L.latLng(p.coords.latitude, p.coords.longitude);  // the browser gives WGS 84
        pin.setLatLng(latlng).addTo(map);
        map.setView(latlng, 17);
        place(latlng);
      }, function () { note.textContent = el.dataset.labelNoGps; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ng-area-map]").forEach(areaMap);
    document.querySelectorAll("[data-ng-picker]").forEach(picker);
  });
})();
