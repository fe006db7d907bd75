/* cryptodt dashboard: API key (kept in this browser only), the live price feed, formatting.
   The page arrives rendered by the server; this script only adds what must be live. */
(function () {
  "use strict";
  var KEY_STORAGE = "cryptodt.apiKey";

  function storedKey() {
    try { return window.localStorage.getItem(KEY_STORAGE) || ""; } catch (e) { return ""; }
  }
  function storeKey(key) {
    try {
      if (key) { window.localStorage.setItem(KEY_STORAGE, key); } else { window.localStorage.removeItem(KEY_STORAGE); }
    } catch (e) { /* private mode: the key lives as long as the page */ }
  }
  function headers() {
    var key = storedKey();
    return key ? { "X-API-Key": key, "Accept": "application/json" } : { "Accept": "application/json" };
  }

  /* GET an API endpoint with the visitor's key; resolves to {ok, status, body}. */
  function api(url) {
    return fetch(url, { headers: headers(), credentials: "same-origin" }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    }, function () { return { ok: false, status: 0, body: null }; });
  }

  function money(value) {
    var n = Number(value);
    if (!isFinite(n)) { return "—"; }
    if (Math.abs(n) >= 1) {
      return "$" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    if (n === 0) { return "$0.00"; }
    var digits = Math.min(12, Math.max(2, -Math.floor(Math.log10(Math.abs(n))) + 3));
    return "$" + n.toFixed(digits);
  }
  function pct(value) {
    if (value === null || value === undefined || value === "") { return "—"; }
    var n = Number(value);
    return (n > 0 ? "+" : "") + n.toFixed(2) + "%";
  }
  function direction(value) {
    var n = Number(value);
    return !n ? "flat" : (n > 0 ? "up" : "down");
  }

  /* --- the live feed ------------------------------------------------------------------ */
  var status = document.getElementById("feed-status");
  function setStatus(state, text) {
    if (!status) { return; }
    status.dataset.state = state;
    status.querySelector(".label").textContent = text;
  }

  function priceCells() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-price]"));
  }

  function applyPrice(frame) {
    priceCells().forEach(function (cell) {
      var symbol = cell.dataset.symbol || (cell.closest("[data-symbol]") || {}).dataset.symbol;
      if (!symbol || symbol.toUpperCase() !== String(frame.symbol).toUpperCase()) { return; }
      var before = Number(cell.dataset.price);
      var after = Number(frame.price);
      if (before === after) { return; }
      cell.dataset.price = String(frame.price);
      cell.textContent = money(frame.price);
      cell.classList.remove("flash-up", "flash-down");
      void cell.offsetWidth; /* restart the animation */
      cell.classList.add(after > before ? "flash-up" : "flash-down");
      var row = cell.closest("tr") || cell.parentElement;
      var change = row && row.querySelector(".change");
      if (change && frame.change_24h_pct !== null && frame.change_24h_pct !== undefined) {
        change.textContent = pct(frame.change_24h_pct);
        change.className = change.className.replace(/\b(up|down|flat)\b/g, "").trim() + " " + direction(frame.change_24h_pct);
      }
    });
  }

  function startFeed() {
    var symbols = [];
    priceCells().forEach(function (cell) {
      var symbol = cell.dataset.symbol || (cell.closest("[data-symbol]") || {}).dataset.symbol;
      if (symbol && symbols.indexOf(symbol) < 0) { symbols.push(symbol); }
    });
    if (!symbols.length || !("WebSocket" in window)) { return; }
    var attempt = 0;
    var socket = null;
    function connect() {
      var key = storedKey();
      var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/prices" +
        (key ? "?api_key=" + encodeURIComponent(key) : "");
      setStatus(attempt ? "reconnecting" : "connecting", attempt ? "reconnecting…" : "connecting…");
      socket = new WebSocket(url);
      socket.onopen = function () {
        socket.send(JSON.stringify({ action: "subscribe", symbols: symbols.slice(0, 200) }));
      };
      socket.onmessage = function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame.type === "subscribed") { attempt = 0; setStatus("live", "live"); }
        else if (frame.type === "price") { setStatus("live", "live"); applyPrice(frame); }
      };
      socket.onclose = function (event) {
        if (event.code === 4401) { setStatus("locked", "API key needed"); return; }
        attempt += 1;
        setStatus("reconnecting", "reconnecting…");
        window.setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, Math.min(attempt - 1, 5))));
      };
      socket.onerror = function () { /* onclose follows and reconnects */ };
    }
    connect();
    window.addEventListener("pagehide", function () { if (socket) { socket.onclose = null; socket.close(); } });
  }

  /* --- without anonymous reads: the key form ------------------------------------------------ */
  function loadScripts(sources, done) {
    if (!sources.length) { done(); return; }
    var script = document.createElement("script");
    script.src = sources[0];
    script.onload = function () { loadScripts(sources.slice(1), done); };
    document.body.appendChild(script);
  }

  function unlock(key) {
    var error = document.getElementById("key-error");
    storeKey(key);
    fetch(location.pathname + location.search, { headers: { "X-API-Key": key, "Accept": "text/html" } })
      .then(function (response) {
        if (response.status === 401) { throw new Error("refused"); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        document.getElementById("main").replaceWith(page.getElementById("main"));
        document.title = page.title;
        var have = Array.prototype.map.call(document.scripts, function (s) { return s.src; });
        var wanted = Array.prototype.map.call(page.querySelectorAll("script[src]"), function (s) { return s.src; })
          .filter(function (src) { return have.indexOf(src) < 0; });
        loadScripts(wanted, function () { showForget(); startFeed(); });
      })
      .catch(function () {
        storeKey("");
        if (error) { error.hidden = false; }
      });
  }

  function showForget() {
    var forget = document.getElementById("forget-key");
    if (!forget || !storedKey()) { return; }
    forget.hidden = false;
    forget.onclick = function () { storeKey(""); location.reload(); };
  }

  var form = document.getElementById("key-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      unlock(document.getElementById("api-key").value.trim());
    });
    if (storedKey()) { unlock(storedKey()); }
  } else {
    showForget();
    startFeed();
  }

  window.cryptodt = { api: api, money: money, pct: pct, storedKey: storedKey };
})();
