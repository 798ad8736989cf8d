// Runs before ReDoc's bundle on /api/v1/redoc/: ReDoc's sidebar shows "API docs by
// Redocly" with a logo image from cdn.redoc.ly, always. An image whose address is on
// another site gets an empty one-pixel image instead, so the page loads nothing external
// (the page's Content-Security-Policy would block the request anyway: this avoids it).
(() => {
  const blank = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
  const external = (value) => {
    try {
      return new URL(String(value), document.baseURI).origin !== window.location.origin;
    } catch {
      return false;
    }
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...src,
    set(value) {
      src.set.call(this, external(value) && !String(value).startsWith("data:") ? blank : value);
    },
  });
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    const img = this instanceof HTMLImageElement && String(name).toLowerCase() === "src";
    return setAttribute.call(this, name, img && external(value) && !String(value).startsWith("data:") ? blank : value);
  };
})();
