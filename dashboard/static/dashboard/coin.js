/* The coin page's charts (TradingView Lightweight Charts, vendored in vendor/). The first
   candles and history come in the page (#chart-data); the switches fetch /api/ohlcv and
   /api/prices/history with the visitor's key. */
(function () {
  "use strict";

  function init() {
    var holder = document.getElementById("chart-data");
    if (!holder || !window.LightweightCharts || !window.cryptodt) { return; }
    var data = JSON.parse(holder.textContent);
    var LC = window.LightweightCharts;
    var theme = {
      layout: { background: { type: "solid", color: "#111a2e" }, textColor: "#cbd5e1" },
      grid: { vertLines: { color: "#1e293b" }, horzLines: { color: "#1e293b" } },
      timeScale: { timeVisible: true, secondsVisible: false, borderColor: "#334155" },
      rightPriceScale: { borderColor: "#334155" },
      localization: { priceFormatter: window.cryptodt.money },
      autoSize: true
    };

    var candleBox = document.getElementById("candle-chart");
    var candleChart = LC.createChart(candleBox, theme);
    var candles = candleChart.addSeries(LC.CandlestickSeries, {
      upColor: "#22c55e", downColor: "#ef4444", borderVisible: false, wickUpColor: "#22c55e", wickDownColor: "#ef4444"
    });
    var historyBox = document.getElementById("history-chart");
    var historyChart = LC.createChart(historyBox, theme);
    var history = historyChart.addSeries(LC.AreaSeries, {
      lineColor: "#38bdf8", topColor: "rgba(56,189,248,0.35)", bottomColor: "rgba(56,189,248,0.02)", lineWidth: 2
    });

    function show(series, chart, note, points) {
      series.setData(points);
      note.hidden = points.length > 0;
      if (points.length) { chart.timeScale().fitContent(); }
    }
    function toPoints(rows, fields) {
      return (rows || []).map(function (row) {
        var point = { time: Math.floor(Date.parse(row.t) / 1000) };
        fields.forEach(function (f) { point[f === "price" ? "value" : f] = Number(row[f]); });
        return point;
      });
    }
    var candleNote = document.getElementById("candle-note");
    var historyNote = document.getElementById("history-note");
    show(candles, candleChart, candleNote, data.candles);
    show(history, historyChart, historyNote, data.history);
    candleBox.dataset.drawn = String(data.candles.length);
    historyBox.dataset.drawn = String(data.history.length);

    function press(group, button) {
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
    }
    function failed(note, result, what) {
      var message = result.body && result.body.error ? result.body.error.message : "could not load " + what;
      note.textContent = result.status === 503 ? "Not collected yet — " + message : message;
      note.hidden = false;
    }

    var intervals = document.getElementById("interval-switch");
    intervals.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-interval]");
      if (!button) { return; }
      press(intervals, button);
      var url = "/api/ohlcv?symbol=" + encodeURIComponent(data.symbol) + "&interval=" + button.dataset.interval + "&limit=200";
      window.cryptodt.api(url).then(function (result) {
        if (!result.ok) { show(candles, candleChart, candleNote, []); failed(candleNote, result, "candles"); return; }
        var points = toPoints(result.body.data, ["open", "high", "low", "close"]);
        show(candles, candleChart, candleNote, points);
        candleBox.dataset.drawn = String(points.length);
        candleBox.dataset.interval = button.dataset.interval;
      });
    });

    var ranges = document.getElementById("range-switch");
    ranges.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-days]");
      if (!button) { return; }
      press(ranges, button);
      var url = "/api/prices/history?symbol=" + encodeURIComponent(data.symbol) + "&days=" + button.dataset.days;
      window.cryptodt.api(url).then(function (result) {
        if (!result.ok) { show(history, historyChart, historyNote, []); failed(historyNote, result, "history"); return; }
        var points = toPoints(result.body.data, ["price"]);
        show(history, historyChart, historyNote, points);
        historyBox.dataset.drawn = String(points.length);
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
