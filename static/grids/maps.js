/* Maps of the grids (Leaflet, vendored). Boundaries and points are WGS 84, drawn on a plain
   background unless the page names a tile server (settings.MAP_TILE_URL: 天地图 or the
   authority's own, in WGS 84 / CGCS2000). Two kinds of element:
   - [data-ng-area-map]: an area's outline, its children's, and its open events;
   - [data-ng-picker]: a form's position picker ("use my position" and a draggable pin)
     that fills latitude/longitude; on the report form it suggests the grid (or says which
     grid holds the position when it is outside the worker's own), the nearest standard
     address in reach (filling the address field unless the worker typed one) and, before
     a pin is set, shows the chosen grid's boundary; on the public demand form it shows the
     card's grid outline given inline and the server locates the grid;
   - [data-ng-event-map]: events within the user's scope (events/map.html): markers
     clustered in the browser (Leaflet.markercluster) while the server sends events, the
     server's cells when it clusters (above 2,000 in view), or a heat map (leaflet.heat);
     reloaded for the visible box at every move. Tapping a cluster zooms in.
   `data-ready="1"` on a map means: drawn for the view it shows, and that view is settled
   (no zoom animation running). Frames chosen by the script (an outline, the events) are
   applied without animation: Leaflet drops a zoom asked for while one animates (a tap
   on a cluster then did nothing), and a load answered during it showed stale markers. */
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
    // maxZoom on the map itself: with no tile layer Leaflet has no other source for it
    var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles, maxZoom: 19 });
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
        map.fitBounds(own.getBounds(), { animate: false });
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
    var addressNote = el.querySelector("[data-ng-address]");
    var addressField = form.querySelector("[name=address]");
    var suggestedAddress = "";  // the address text this picker last filled in
    var map = baseMap(el.querySelector("[data-ng-picker-map]"));
    var start = lat.value && lon.value ? [parseFloat(lat.value), parseFloat(lon.value)] : NINGBO;
    map.setView(start, lat.value ? 17 : 11);
    var pin = L.marker(start, { draggable: true, autoPan: true });
    if (lat.value) { pin.addTo(map); }
    var outline = null;

    function selectedCode() {
      var select = form.querySelector("[name=area]");
      var option = select && select.options[select.selectedIndex];
      var match = option && /（(\d+)）$/.exec(option.text);
      return match ? match[1] : "";
    }

    /* Draw `collection` as the outline; with no pin yet, frame it so the worker sees where they are. */
    function drawOutline(collection, frame) {
      if (outline) { map.removeLayer(outline); }
      outline = L.geoJSON(collection, { style: { color: "#0d6efd", weight: 2, fillOpacity: 0.05 }, interactive: false }).addTo(map);
      var bounds = outline.getBounds();
      if (frame && bounds.isValid()) { map.fitBounds(bounds); }
      el.dataset.framed = bounds.isValid() ? "1" : "0";
    }

    /* Before any pin: the page's outline (public pages), else the chosen grid's boundary,
       else (an undrawn micro-grid) the boundary of the grid holding it (its code's first 15 digits). */
    function frameStart() {
      if (lat.value) { return; }
      var inline = el.dataset.outline && document.getElementById(el.dataset.outline);
      if (inline) { drawOutline(JSON.parse(inline.textContent), true); return; }
      var code = selectedCode();
      if (!code || !el.dataset.boundaryUrl) { return; }
      var boundary = function (c) { return getJSON(el.dataset.boundaryUrl.replace("330200000000", c)); };
      boundary(code).then(function (collection) {
        var drawn = collection.features.some(function (f) { return f.geometry; });
        return drawn || code.length <= 15 ? collection : boundary(code.slice(0, 15));
      }).then(function (collection) {
        if (!lat.value && selectedCode() === code) { drawOutline(collection, true); }
      }).catch(function () { el.dataset.framed = "0"; });
    }

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

    function offered(code) {
      var select = form.querySelector("[name=area]");
      return !!select && Array.prototype.some.call(select.options, function (o) { return o.text.indexOf("（" + code + "）") !== -1; });
    }

    /* The nearest standard address in the worker's reach (ledgers API): shown, and put in the
       address field unless the worker typed something else there. */
    function suggestAddress(query) {
      if (!el.dataset.nearestUrl) { return; }
      var mine = query;
      el.dataset.address = "";
      getJSON(el.dataset.nearestUrl + "?" + query).then(function (found) {
        if (mine !== "lat=" + lat.value + "&lon=" + lon.value) { return; }  // the pin moved meanwhile
        var untouched = addressField && (!addressField.value || addressField.value === suggestedAddress);
        if (!found.address) {
          addressNote.textContent = "";
          if (untouched && suggestedAddress) { addressField.value = ""; suggestedAddress = ""; }
          el.dataset.address = "none";
          return;
        }
        addressNote.textContent = el.dataset.labelAddress.replace("{address}", found.address.full_text)
          .replace("{metres}", String(Math.round(found.distance_m)));
        if (untouched) { addressField.value = found.address.full_text; suggestedAddress = found.address.full_text; }
        el.dataset.address = found.address.code;
      }).catch(function () { addressNote.textContent = ""; el.dataset.address = "none"; });
    }

    function place(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (datum) { datum.value = "wgs84"; }
      el.dataset.suggested = "";
      if (!el.dataset.locateUrl) { note.textContent = el.dataset.labelPlaced; return; }  // the server locates it
      var query = "lat=" + lat.value + "&lon=" + lon.value;
      suggestAddress(query);
      getJSON(el.dataset.locateUrl + "?" + query).then(function (found) {
        var areas = found.areas.filter(function (a) { return a.level === "micro_grid" || a.level === "grid"; });
        if (!areas.length) { note.textContent = el.dataset.labelNone; el.dataset.suggested = "none"; return; }
        var best = areas[areas.length - 1];
        var grid = areas[0];
        if (!offered(best.code)) { best = grid; }
        if (!offered(best.code)) {  // a grid, but not one this worker may report in: say which
          note.textContent = el.dataset.labelOutside.replace("{grid}", grid.name + "（" + grid.code + "）");
          el.dataset.suggested = "outside:" + grid.code;
          if (outline) { map.removeLayer(outline); outline = null; }
          return;
        }
        suggest(best.code, best.name);
        return getJSON(el.dataset.boundaryUrl.replace("330200000000", best.code)).then(function (collection) {
          drawOutline(collection, false);
        }, function () { return null; });  // no outline to draw: the suggestion stands
      }).catch(function () { note.textContent = el.dataset.labelNone; el.dataset.suggested = "none"; });
    }

    pin.on("dragend", function () { place(pin.getLatLng()); });
    map.on("click", function (e) { pin.setLatLng(e.latlng).addTo(map); place(e.latlng); });
    form.addEventListener("change", function (e) {  // another grid chosen by hand: show it (the select is swapped by htmx)
      if (e.target.name === "area") { frameStart(); }
    });
    frameStart();
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

  var STATE = { red: "ng-state-red", yellow: "ng-state-yellow" };

  function stateOf(red, yellow) { return red ? "red" : (yellow ? "yellow" : "ok"); }

  function clusterIcon(count, state) {
    var size = count < 100 ? 44 : (count < 10000 ? 52 : 60);
    return L.divIcon({
      html: "<span>" + count + "</span>", className: "ng-cluster " + (STATE[state] || "ng-state-ok"),
      iconSize: [size, size]
    });
  }

  function eventMap(el) {
    var map = baseMap(el), layer = null, seq = 0, heat = el.dataset.mode === "heat", fitted = false;
    var sep = el.dataset.eventsUrl.indexOf("?") === -1 ? "?" : "&";
    map.setView(NINGBO, 10);

    function marker(f) {
      var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      var p = f.properties, state = stateOf(p.alert === "red", p.alert === "yellow");
      var m = L.marker(ll, {
        icon: L.divIcon({ className: "ng-dot " + (STATE[state] || "ng-state-ok"), iconSize: [22, 22] }),
        alert: state, title: p.number
      });
      var link = document.createElement("a");
      link.href = el.dataset.detailUrl.replace("E0", encodeURIComponent(p.number));
      link.textContent = p.number + " " + p.title;
      return m.bindPopup(link);
    }

    function serverCell(f) {
      var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]), p = f.properties;
      return L.marker(ll, { icon: clusterIcon(p.count, stateOf(p.red, p.yellow)), title: String(p.count) })
        .on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); });
    }

    function browserClusters(features) {
      var group = L.markerClusterGroup({
        showCoverageOnHover: false, maxClusterRadius: 50,
        iconCreateFunction: function (cluster) {
          var red = 0, yellow = 0;
          cluster.getAllChildMarkers().forEach(function (m) {
            if (m.options.alert === "red") { red++; } else if (m.options.alert === "yellow") { yellow++; }
          });
          return clusterIcon(cluster.getChildCount(), stateOf(red, yellow));
        }
      });
      group.addLayers(features.map(marker));
      return group;
    }

    function load() {
      var b = map.getBounds(), mine = ++seq;
      var box = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)];
      var url = el.dataset.eventsUrl + sep + "bbox=" + box.map(function (v) { return v.toFixed(6); }).join(",") +
        "&zoom=" + map.getZoom() + (heat ? "&mode=heat" : "");
      el.dataset.ready = "0";
      getJSON(url).then(function (body) {
        if (mine !== seq) { return; }
        if (layer) { map.removeLayer(layer); }
        if (heat) {
          var max = body.features.reduce(function (m, f) { return Math.max(m, f.properties.count); }, 1);
          layer = L.heatLayer(body.features.map(function (f) {
            return [f.geometry.coordinates[1], f.geometry.coordinates[0], f.properties.count];
          }), { radius: 20, blur: 15, max: Math.max(3, 2 * max), maxZoom: 0 });  // maxZoom 0: counts are not scaled down by zoom
        } else if (body.clustered) {
          layer = L.layerGroup(body.features.map(serverCell));
        } else {
          layer = browserClusters(body.features);
        }
        layer.addTo(map);
        if (!fitted && body.features.length) {  // no outline to frame the map: frame the events once
          fitted = true;
          map.fitBounds(L.geoJSON(body).getBounds(), { maxZoom: 16, animate: false });  // the move reloads
          return;
        }
        el.dataset.clustered = body.clustered ? "server" : "browser";
        el.dataset.features = String(body.features.length);
        el.dataset.zoom = String(map.getZoom());
        el.dataset.ready = "1";
      }).catch(function () { if (mine === seq) { el.dataset.ready = "error"; } });
    }

    var outline = el.dataset.boundaryUrl ? getJSON(el.dataset.boundaryUrl) : Promise.resolve(null);
    outline.then(function (collection) {
      if (collection) {
        L.geoJSON({ type: "FeatureCollection", features: collection.features.slice(1) }, {
          style: { color: "#6c757d", weight: 1, fillOpacity: 0.03 }, interactive: false
        }).addTo(map);
        var own = L.geoJSON({ type: "FeatureCollection", features: collection.features.slice(0, 1) }, {
          style: { color: "#0d6efd", weight: 3, fillOpacity: 0 }, interactive: false
        }).addTo(map);
        // the area's outline, else its children's (a township drawn only below)
        var bounds = own.getBounds().isValid() ? own.getBounds() : L.geoJSON(collection).getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { animate: false }); fitted = true; }
      }
    }).catch(function () { return null; }).then(function () {
      // a move (a tap on a cluster, a pinch) makes the answer on its way stale: not ready until reloaded
      map.on("movestart", function () { seq++; el.dataset.ready = "0"; });
      map.on("moveend", load);
      load();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ng-event-map]").forEach(eventMap);
    document.querySelectorAll("[data-ng-area-map]").forEach(areaMap);
    document.querySelectorAll("[data-ng-picker]").forEach(picker);
  });
})();
