/* digiscore dashboard: draws the charts a page describes in <script type="application/json" id="chart-data">
   with the vendored ECharts build, and enhances the upload form (drop a file, check its size first).
   Every page works without this script; the charts have data tables as their text alternative. */
(function () {
  'use strict';

  var PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7c3aed', '#be123c', '#0e7490', '#a16207'];
  var INK = '#1b2430';
  var MUTED = '#4a5565';
  var GRID = '#e1e6ec';
  var lang = document.documentElement.lang === 'en' ? 'EN' : 'ZH';

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function value(v) { return v === null || v === undefined ? '-' : v; }
  /* A long name written with spaces (English) on lines of about `width` characters, so a radar's axis names
     stay inside a phone's chart; names without spaces (Chinese) are left whole. */
  function wrapWords(text, width) {
    if (!text || text.length <= width || text.indexOf(' ') < 0) { return text; }
    var lines = [];
    var line = '';
    text.split(' ').forEach(function (word) {
      if (line && (line + ' ' + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + ' ' + word : word; }
    });
    lines.push(line);
    return lines.join('\n');
  }
  function round2(v) { return v === null || v === undefined || v === '-' ? '—' : Number(v).toFixed(2); }

  function base(extra) {
    var option = {
      animation: false,
      color: PALETTE,
      aria: { enabled: true, decal: { show: false } },
      textStyle: { color: INK, fontFamily: getComputedStyle(document.documentElement).fontFamily },
      tooltip: { confine: true, valueFormatter: round2 }
    };
    Object.keys(extra).forEach(function (k) { option[k] = extra[k]; });
    return option;
  }

  var axisLabel = { color: MUTED };
  var splitLine = { lineStyle: { color: GRID } };

  /* How wide a text is in the charts' font (12 px, as ECharts draws axis labels), measured on a canvas. */
  var measurer = null;
  function textWidth(text, size) {
    if (!measurer) { measurer = document.createElement('canvas').getContext('2d'); }
    measurer.font = (size || 12) + 'px ' + getComputedStyle(document.documentElement).fontFamily;
    return measurer.measureText(String(text)).width;
  }
  /* The widest word of some labels: a label is broken between words only, and a name without spaces (Chinese)
     counts as one word, so that it is never cut in the middle (数字基|础设施, infrastr|ucture). */
  function widestWord(labels) {
    var widest = 0;
    labels.forEach(function (label) {
      String(label).split(' ').forEach(function (word) { widest = Math.max(widest, textWidth(word)); });
    });
    return Math.ceil(widest) + 2;
  }

  // the width a category label may take under its bar group (spec.width: the chart's width in pixels when it
  // was drawn)
  function labelWidth(spec) {
    if (!spec.width) { return 80; }
    var slot = Math.floor((spec.width - 70) / Math.max(1, spec.categories.length)) - 6;
    return Math.max(28, Math.min(80, slot));
  }
  /* Bars stand upright while every label's words fit under their group (wrapped between words); otherwise
     (a phone) they lie down, with the labels on the left, wrapped between words on lines as wide as the widest
     word (at most 45 % of the chart). */
  function barLayout(spec) {
    if (spec.horizontal) {
      // long names (indicators) cut with an ellipsis (the tooltip gives them whole), wider where there is room
      var wide = Math.round(Math.min(320, 0.3 * (spec.width || 500)));
      return { horizontal: true, labelWidth: Math.max(150, wide), overflow: 'truncate', rowHeight: 28 };
    }
    var widest = widestWord(spec.categories);
    var under = labelWidth(spec);
    if (widest <= under) {
      return { horizontal: false, labelWidth: under, overflow: 'break' };
    }
    var room = Math.floor((spec.width || 600) * 0.45);
    return {
      horizontal: true,
      labelWidth: Math.max(widest, Math.min(room, widestLabel(spec.categories))),
      overflow: 'break',
      rowHeight: 16 + 14 * Math.max(1, spec.series.length)
    };
  }
  function widestLabel(labels) {
    return Math.ceil(Math.max.apply(null, labels.map(function (l) { return textWidth(l); }))) + 2;
  }
  /* The height a chart needs: lying bars get a row each (and the legend's lines below). */
  function chartHeight(spec) {
    if (spec.kind === 'interval') { return Math.max(220, 28 * spec.categories.length + 70); }
    if (spec.kind !== 'bars') { return null; }
    var layout = barLayout(spec);
    if (!layout.horizontal) { return null; }
    return Math.max(220, layout.rowHeight * spec.categories.length + 50 + legendLines(spec) * 22);
  }
  /* A legend at the chart's foot wraps onto as many lines as its names need (none is hidden behind a scroll
     arrow); how many lines, estimated from the names' widths (symbol 25 px, gap 10 px). */
  function legendLines(spec) {
    if (!spec.series || spec.series.length < 2) { return 0; }
    var room = Math.max(120, (spec.width || 600) - 20);
    var lines = 1;
    var used = 0;
    spec.series.forEach(function (s) {
      var item = textWidth(s.name) + 25 + 5 + 10;
      if (used && used + item > room) { lines += 1; used = 0; }
      used += item;
    });
    return lines;
  }
  function legend() {
    return { bottom: 0, type: 'plain', itemGap: 10, textStyle: { color: INK } };
  }

  var builders = {
    radar: function (spec) {
      return base({
        legend: { bottom: 0, textStyle: { color: INK } },
        radar: {
          indicator: spec.axes.map(function (a) { return { name: a.name, max: a.max }; }),
          radius: spec.width && spec.width < 480 ? '52%' : '60%',  // room for the axis names on a phone
          center: ['50%', '46%'],
          axisName: { color: INK, formatter: function (name) { return wrapWords(name, 14); } },
          splitLine: splitLine,
          axisLine: { lineStyle: { color: '#9aa5b1' } }
        },
        series: [{
          type: 'radar',
          symbolSize: 5,
          data: spec.series.map(function (s, i) {
            return {
              name: s.name,
              value: s.values.map(value),
              lineStyle: { width: 2, type: i === 0 ? 'solid' : 'dashed' },
              areaStyle: { opacity: i === 0 ? 0.18 : 0.05 }
            };
          })
        }]
      });
    },

    bars: function (spec) {
      var layout = barLayout(spec);
      var horizontal = layout.horizontal;
      var lines = legendLines(spec);
      var categoryAxis = {
        type: 'category',
        data: spec.categories,
        inverse: horizontal,
        axisLabel: horizontal
          ? { color: INK, width: layout.labelWidth, overflow: layout.overflow, interval: 0, lineHeight: 14 }
          : { color: INK, width: layout.labelWidth, overflow: 'break', interval: 0, lineHeight: 14 },
        axisTick: { show: false }
      };
      var valueAxis = { type: 'value', axisLabel: axisLabel, splitLine: splitLine };
      if (spec.max) { valueAxis.max = Math.ceil(spec.max); valueAxis.min = 0; }
      return base({
        legend: lines ? legend() : undefined,
        tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' }, valueFormatter: round2 },
        grid: { left: 8, right: 24, top: 16, bottom: lines ? 16 + 22 * lines : 8, containLabel: true },
        xAxis: horizontal ? valueAxis : categoryAxis,
        yAxis: horizontal ? categoryAxis : valueAxis,
        series: spec.series.map(function (s) {
          return {
            type: 'bar',
            name: s.name,
            barMaxWidth: horizontal && spec.series.length > 1 ? 12 : 28,
            data: s.values.map(function (v) {
              if (!spec.signed) { return value(v); }
              return { value: value(v), itemStyle: { color: v !== null && v < 0 ? '#b3261e' : PALETTE[0] } };
            })
          };
        })
      });
    },

    trend: function (spec) {
      return base({
        legend: legend(),
        tooltip: { trigger: 'axis', confine: true, valueFormatter: round2 },
        grid: { left: 8, right: 24, top: 16, bottom: 26 + 22 * Math.max(1, legendLines(spec)), containLabel: true },
        xAxis: { type: 'category', data: spec.categories, axisLabel: { color: INK }, boundaryGap: false },
        yAxis: { type: 'value', scale: true, axisLabel: axisLabel, splitLine: splitLine },
        series: spec.series.map(function (s, i) {
          return {
            type: 'line',
            name: s.name,
            data: s.values.map(value),
            connectNulls: true,
            symbolSize: i === 0 ? 8 : 5,
            lineStyle: { width: i === 0 ? 3 : 1.5 }
          };
        })
      });
    },

    density: function (spec) {
      // one curve per year over a numeric axis (kernel density of the composite): [x, f(x)] pairs; the axis
      // name above the legend
      return base({
        legend: legend(),
        tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return Number(v).toFixed(4); } },
        grid: { left: 8, right: 24, top: 16, bottom: 36 + 22 * Math.max(1, legendLines(spec)), containLabel: true },
        xAxis: { type: 'value', min: spec.x[0], max: spec.x[spec.x.length - 1], name: spec.xName, nameLocation: 'middle', nameGap: 26, axisLabel: axisLabel, splitLine: splitLine },
        yAxis: { type: 'value', axisLabel: axisLabel, splitLine: splitLine },
        series: spec.series.map(function (s, i) {
          return {
            type: 'line',
            name: s.name,
            showSymbol: false,
            lineStyle: { width: i === spec.series.length - 1 ? 3 : 1.5 },
            data: s.values.map(function (v, j) { return [spec.x[j], v]; })
          };
        })
      });
    },

    interval: function (spec) {
      // one bar per unit from (5 % rank − 0.4) to (95 % rank + 0.4): a rank "cell" even when both are equal
      var starts = spec.low.map(function (v) { return v === null ? '-' : v - 0.4; });
      var lengths = spec.low.map(function (v, i) { return v === null ? '-' : spec.high[i] - v + 0.8; });
      var labels = spec.labels;
      return base({
        legend: { bottom: 0, data: [labels.interval, labels.median, labels.nominal], textStyle: { color: INK } },
        tooltip: {
          trigger: 'axis',
          confine: true,
          axisPointer: { type: 'shadow' },
          formatter: function (items) {
            var i = items[0].dataIndex;
            return escapeHtml(spec.categories[i]) + '<br>' +
              escapeHtml(labels.nominal) + ': ' + value(spec.nominal[i]) + '<br>' +
              escapeHtml(labels.median) + ': ' + value(spec.median[i]) + '<br>' +
              escapeHtml(labels.interval) + ': ' + value(spec.low[i]) + '–' + value(spec.high[i]);
          }
        },
        grid: { left: 8, right: 24, top: 16, bottom: 40, containLabel: true },
        xAxis: { type: 'value', min: 0, max: spec.units + 1, minInterval: 1, axisLabel: axisLabel, splitLine: splitLine },
        yAxis: { type: 'category', inverse: true, data: spec.categories, axisLabel: { color: INK, width: 120, overflow: 'truncate', interval: 0 } },
        series: [
          { type: 'bar', stack: 'interval', silent: true, itemStyle: { color: 'transparent' }, data: starts, barMaxWidth: 18 },
          { type: 'bar', stack: 'interval', name: labels.interval, itemStyle: { color: '#5b8fd0' }, data: lengths, barMaxWidth: 18 },
          { type: 'scatter', name: labels.median, symbol: 'rect', symbolSize: [3, 18], itemStyle: { color: INK }, data: spec.median.map(value) },
          { type: 'scatter', name: labels.nominal, symbol: 'diamond', symbolSize: 10, itemStyle: { color: '#c2410c' }, data: spec.nominal.map(value) }
        ]
      });
    }
  };

  // cividis (colour-blind safe, as the report's maps), low → high
  var CIVIDIS = ['#00224e', '#35456c', '#666970', '#948e77', '#c8b866', '#fee838'];

  /* The map: the boundaries come from GET /rounds/{year}/map (the API's document), registered once per
     system; functional zones without an official boundary are diamonds at their point. */
  function drawMap(el, spec, drawn) {
    fetch(spec.url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) { throw new Error('map ' + response.status); }
        return response.json();
      })
      .then(function (doc) {
        if (!window.echarts.getMap(spec.name)) { window.echarts.registerMap(spec.name, doc.geojson); }
        var names = spec.names || {};  // a unit's name in the document → on the page (English on English pages)
        var shown = function (name) { return names[name] || name; };
        var drawnCodes = {};
        doc.geojson.features.forEach(function (f) { drawnCodes[f.properties.code] = true; });
        var byCode = {};
        var values = [];
        doc.scores.forEach(function (s) {
          byCode[s.code] = s;
          if (s.score !== null) { values.push(s.score); }
        });
        var low = values.length ? Math.min.apply(null, values) : 0;
        var high = values.length ? Math.max.apply(null, values) : 1;
        var chart = window.echarts.init(el, null, { renderer: 'svg', locale: lang });
        chart.setOption(base({
          tooltip: {
            trigger: 'item',
            confine: true,
            formatter: function (p) {
              var s = byCode[p.data && p.data.code];
              var score = s && s.score !== null ? round2(s.score) : spec.labels.no_score;
              return escapeHtml(p.name) + '<br>' + escapeHtml(spec.node || doc.node.name) + (lang === 'EN' ? ': ' : '：') + score;
            }
          },
          visualMap: {
            min: low,
            max: high > low ? high : low + 1,
            precision: 1,
            calculable: false,
            orient: 'horizontal',
            left: 'center',
            bottom: 0,
            itemHeight: 160,
            text: [round2(high), round2(low)],
            inRange: { color: CIVIDIS },
            textStyle: { color: INK },
            seriesIndex: [0, 1]
          },
          geo: {
            map: spec.name,
            nameMap: names,
            roam: false,
            top: 10,
            bottom: 50,
            // names on the map where the regions are wide enough for them; on a phone a region shows its name
            // (and the tooltip its score) when tapped
            label: { show: el.clientWidth >= 560, fontSize: 11, color: INK, backgroundColor: 'rgba(255,255,255,0.75)',
                     padding: [1, 3], borderRadius: 2 },
            itemStyle: { areaColor: '#d0d0d0', borderColor: '#ffffff', borderWidth: 1 },
            emphasis: { label: { show: true }, itemStyle: { borderColor: INK, borderWidth: 1.5 } },
            select: { disabled: true }
          },
          series: [
            {
              type: 'map',
              geoIndex: 0,
              name: spec.node || doc.node.name,
              data: doc.scores.filter(function (s) { return drawnCodes[s.code]; }).map(function (s) {
                return { name: shown(s.name), code: s.code, value: s.score === null ? '-' : s.score };
              })
            },
            {
              type: 'scatter',
              coordinateSystem: 'geo',
              name: spec.labels.points,
              symbol: 'diamond',
              symbolSize: 16,
              itemStyle: { borderColor: INK, borderWidth: 1.2 },
              label: { show: el.clientWidth >= 560, position: 'top', distance: 6, formatter: '{b}', color: INK,
                       fontSize: 11, backgroundColor: 'rgba(255,255,255,0.9)', padding: [1, 3] },
              labelLayout: { hideOverlap: true },
              data: doc.points.map(function (p) {
                var s = byCode[p.code];
                return { name: shown(p.name), code: p.code, value: [p.lon, p.lat, s && s.score !== null ? s.score : '-'] };
              })
            }
          ]
        }));
        el.setAttribute('data-drawn', 'true');
        drawn.push(chart);
      })
      .catch(function (error) {
        el.setAttribute('data-drawn', 'failed');
        if (window.console) { window.console.error('map: ' + error); }
      });
  }

  /* The chart's box as tall as its rows need (lying bars, rank intervals, a legend of many lines); other
     charts keep the height the style sheet gives them. */
  function fitHeight(el, spec) {
    el.style.height = '';
    var height = chartHeight(spec);
    if (spec.kind === 'trend' && legendLines(spec) > 1) { height = el.clientHeight + 22 * (legendLines(spec) - 1); }
    if (height) { el.style.height = height + 'px'; }
  }

  function drawCharts() {
    var source = document.getElementById('chart-data');
    if (!source || typeof window.echarts === 'undefined') { return; }
    var specs = JSON.parse(source.textContent);
    var drawn = [];
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      var spec = specs[el.getAttribute('data-chart')];
      if (spec && spec.kind === 'map') { drawMap(el, spec, drawn); return; }
      if (!spec || !builders[spec.kind]) { return; }
      spec.width = el.clientWidth;
      fitHeight(el, spec);
      var chart = window.echarts.init(el, null, { renderer: 'svg', locale: lang });
      chart.setOption(builders[spec.kind](spec));
      el.setAttribute('data-drawn', 'true');
      drawn.push({ chart: chart, spec: spec, el: el });
    });
    var pending = null;
    window.addEventListener('resize', function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        drawn.forEach(function (d) {
          if (!d.spec) { d.resize(); return; }
          d.spec.width = d.el.clientWidth;
          fitHeight(d.el, d.spec);
          d.chart.setOption(builders[d.spec.kind](d.spec), true);
          d.chart.resize();
        });
      }, 100);
    });
  }

  function enhanceUpload() {
    var form = document.getElementById('upload-form');
    if (!form) { return; }
    var input = document.getElementById('file');
    var zone = document.getElementById('dropzone');
    var chosen = document.getElementById('chosen');
    var problem = document.getElementById('client-error');
    var limit = parseInt(form.getAttribute('data-max-bytes'), 10);

    function show() {
      var file = input.files && input.files[0];
      chosen.textContent = file ? chosen.getAttribute('data-template').replace('{name}', file.name) : '';
      problem.hidden = true;
    }
    input.addEventListener('change', show);
    ['dragenter', 'dragover'].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add('dragging'); });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove('dragging'); });
    });
    zone.addEventListener('drop', function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
    form.addEventListener('submit', function (event) {
      var file = input.files && input.files[0];
      if (file && limit && file.size > limit) {
        event.preventDefault();
        problem.textContent = problem.getAttribute('data-too-large');
        problem.hidden = false;
        problem.focus();
      }
    });
  }

  function guardEvidence() {
    // an evidence file over the limit is stopped before it is sent (the server would refuse it with 413)
    var table = document.getElementById('evidence-table');
    var problem = document.getElementById('evidence-client-error');
    if (!table || !problem) { return; }
    var limit = parseInt(table.getAttribute('data-max-bytes'), 10);
    Array.prototype.forEach.call(table.querySelectorAll('form.evidence-form'), function (form) {
      form.addEventListener('submit', function (event) {
        var input = form.querySelector('input[type=file]');
        var file = input && input.files && input.files[0];
        if (file && limit && file.size > limit) {
          event.preventDefault();
          var indicator = form.querySelector('input[name=indicator]').value;
          problem.textContent = problem.getAttribute('data-too-large').replace('{indicator}', indicator);
          problem.hidden = false;
          problem.focus();
        }
      });
    });
  }

  function focusResult() {
    // after an upload the page opens at #result: move the focus there for screen readers and keyboards
    if (window.location.hash === '#result' || window.location.hash === '#decision') {
      var target = document.getElementById(window.location.hash.slice(1));
      if (target) { target.focus({ preventScroll: false }); }
    }
  }

  function start() {
    drawCharts();
    enhanceUpload();
    guardEvidence();
    focusResult();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
