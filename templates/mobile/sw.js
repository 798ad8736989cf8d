{% autoescape off %}/* The staff side's service worker (mobile.views.service_worker; issue #19).

Pages of the staff side (any same-origin GET navigation outside CONFIG.plain) go to the
network first; a successful answer that is a signed-in staff page (it carries the
`ng-user` meta tag) is kept, and offered when the network fails or does not answer
within NETWORK_WAIT ms, marked as an offline copy (`ng-offline` = 1: the page's script
shows the time the copy was made). Static files come from the cache first. Everything
else (POSTs, plain pages, the API, htmx fragments) is left to the network untouched, so
drafts are always sent by the pages' own script with their one-time key.
*/
"use strict";
const CONFIG = {{ config }};
const STATIC_CACHE = "ng-static-" + CONFIG.version;
const PAGE_CACHE = "ng-pages";
const NETWORK_WAIT = 6000;
const MAX_PAGES = 40;
const STAFF_MARK = '<meta name="ng-user"';
const OFFLINE_MARK = '<meta name="ng-offline" content="">';

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const statics = await caches.open(STATIC_CACHE);
    await statics.addAll(CONFIG.assets);
    await Promise.all(CONFIG.pages.map((url) => refreshPage(new Request(url, { credentials: "same-origin" })).catch(() => null)));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("ng-static-") && name !== STATIC_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isPlain(url) {
  return CONFIG.plain.some((prefix) => url.pathname.startsWith(prefix)) || url.pathname === "/sw.js";
}

/* Fetch a page and keep it when it is a signed-in staff page; answer the network's response. */
async function refreshPage(request) {
  const response = await fetch(request);
  if (response.ok && !response.redirected && response.type === "basic") {
    const text = await response.clone().text();
    if (text.includes(STAFF_MARK)) {
      const cache = await caches.open(PAGE_CACHE);
      const url = new URL(request.url);
      url.hash = "";
      await cache.put(url.href, new Response(text, { status: 200, headers: kept(response.headers) }));
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
    }
  }
  return response;
}

/* The headers a page copy keeps (its Content-Security-Policy among them); the body is
   stored decoded, so its encoding and length go. */
function kept(headers) {
  const copy = new Headers(headers);
  for (const name of ["Content-Encoding", "Content-Length", "Set-Cookie", "ETag", "Last-Modified"]) copy.delete(name);
  return copy;
}

async function offlineCopy(request) {
  const cache = await caches.open(PAGE_CACHE);
  const url = new URL(request.url);
  url.hash = "";
  let cached = await cache.match(url.href, { ignoreVary: true });
  if (!cached) {
    url.search = "";  // ?draft=… and other page options: the page without them
    cached = await cache.match(url.href, { ignoreVary: true });
  }
  if (!cached) return null;
  const text = (await cached.text()).replace(OFFLINE_MARK, '<meta name="ng-offline" content="1">');
  return new Response(text, { status: 200, headers: kept(cached.headers) });
}

async function page(event) {
  const network = refreshPage(event.request);
  const timeout = new Promise((resolve) => setTimeout(() => resolve("slow"), NETWORK_WAIT));
  try {
    const first = await Promise.race([network, timeout]);
    if (first !== "slow") return first;
    event.waitUntil(network.catch(() => null));  // keep the fresh copy when it comes
    return (await offlineCopy(event.request)) || (await network);
  } catch (error) {
    const copy = await offlineCopy(event.request);
    if (copy) return copy;
    const outbox = await offlineCopy(new Request(new URL("/mobile/outbox/", self.location.origin)));
    if (outbox) return outbox;
    throw error;
  }
}

async function asset(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

/* A page asks to keep the static files it loaded before the worker was in charge. */
self.addEventListener("message", (event) => {
  const urls = ((event.data && event.data.keep) || []).filter((u) => {
    const url = new URL(u, self.location.origin);
    return url.origin === self.location.origin && url.pathname.startsWith(CONFIG.static);
  });
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    for (const url of urls) {
      if (!(await cache.match(url))) await cache.add(url).catch(() => null);
    }
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(CONFIG.static)) {
    event.respondWith(asset(request));
  } else if (request.mode === "navigate" && !isPlain(url)) {
    event.respondWith(page(event));
  }
});
{% endautoescape %}
