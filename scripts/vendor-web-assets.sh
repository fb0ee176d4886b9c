#!/usr/bin/env bash
# Rebuild the browser assets that the web dashboard and its tests vendor, from the npm registry (pinned versions).
# The results are committed; neither the app nor CI runs this script, and no page loads anything from a CDN.
#
#   service/web/static/vendor/echarts.min.js   ECharts, a partial build (bar, line, radar, scatter and map
#                                              charts; grid, tooltip, legend, mark line, aria, geo and continuous
#                                              visual-map components; the SVG renderer) bundled and minified by esbuild, with LICENSE-echarts.txt
#                                              and NOTICE-echarts.txt (Apache-2.0) and the licences of what it
#                                              bundles (zrender and d3: BSD-3-Clause, tslib: 0BSD)
#   service/web/static/vendor/swagger-ui/      Swagger UI for /docs (swagger-ui-dist: swagger-ui-bundle.js and
#                                              swagger-ui.css as published, without their source-map comments;
#                                              Apache-2.0, LICENSE.txt, NOTICE.txt and the bundle's licences)
#   tests/web/vendor/axe.min.js                axe-core (MPL-2.0, LICENSE-axe-core.txt), injected by the browser
#                                              tests to check WCAG 2 A/AA rules, colour contrast among them
#
# Needs node and npm (Debian: apt-get install nodejs npm). Idempotent: the same versions give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

ECHARTS=6.1.0     # pins zrender 6.1.0 and tslib 2.3.0 exactly (its package.json)
ESBUILD=0.28.2
AXE=4.14.1
SWAGGER_UI=5.32.0

static=service/web/static/vendor
tests=tests/web/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo '{"name": "digiscore-web-assets", "private": true, "version": "0.0.0"}' >"$work/package.json"
npm install --prefix "$work" --no-audit --no-fund --save-exact \
  "echarts@$ECHARTS" "esbuild@$ESBUILD" "axe-core@$AXE" "swagger-ui-dist@$SWAGGER_UI" >/dev/null

cat >"$work/entry.js" <<'JS'
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, RadarChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent, GeoComponent, GridComponent, LegendComponent, MarkLineComponent, RadarComponent,
  TooltipComponent, VisualMapContinuousComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, LineChart, MapChart, RadarChart, ScatterChart,
  AriaComponent, GeoComponent, GridComponent, LegendComponent, MarkLineComponent, RadarComponent,
  TooltipComponent, VisualMapContinuousComponent,
  SVGRenderer,
]);
window.echarts = echarts;
JS

mkdir -p "$static" "$tests"
banner="/*! Apache ECharts $ECHARTS (https://echarts.apache.org), partial build for digiscore: bar, line, radar, scatter, map; geo, visual map; SVG renderer. Apache-2.0: see LICENSE-echarts.txt, NOTICE-echarts.txt. Bundles zrender $ECHARTS (BSD-3-Clause, LICENSE-zrender.txt) tslib (0BSD, LICENSE-tslib.txt) and code from d3 (BSD-3-Clause, LICENSE-d3.txt). */"
(cd "$work" && ./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --target=es2018 \
  --legal-comments=none "--banner:js=$banner" --log-level=warning --outfile=echarts.min.js)
cp "$work/echarts.min.js" "$static/echarts.min.js"
cp "$work/node_modules/echarts/LICENSE" "$static/LICENSE-echarts.txt"
cp "$work/node_modules/echarts/NOTICE" "$static/NOTICE-echarts.txt"
cp "$work/node_modules/zrender/LICENSE" "$static/LICENSE-zrender.txt"
cp "$work/node_modules/echarts/licenses/LICENSE-d3" "$static/LICENSE-d3.txt"  # src/util/number.ts embeds d3 code
cp "$work/node_modules/tslib/LICENSE.txt" "$static/LICENSE-tslib.txt"

swagger="$static/swagger-ui"
dist="$work/node_modules/swagger-ui-dist"
mkdir -p "$swagger"
sed -e '/^\/\/# sourceMappingURL=/d' "$dist/swagger-ui-bundle.js" >"$swagger/swagger-ui-bundle.js"
sed -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$dist/swagger-ui.css" >"$swagger/swagger-ui.css"
cp "$dist/LICENSE" "$swagger/LICENSE.txt"
cp "$dist/NOTICE" "$swagger/NOTICE.txt"
cp "$dist/swagger-ui-bundle.js.LICENSE.txt" "$swagger/swagger-ui-bundle.js.LICENSE.txt"

cp "$work/node_modules/axe-core/axe.min.js" "$tests/axe.min.js"
cp "$work/node_modules/axe-core/LICENSE" "$tests/LICENSE-axe-core.txt"

for file in "$static/echarts.min.js" "$swagger/swagger-ui-bundle.js" "$swagger/swagger-ui.css" "$tests/axe.min.js"; do
  printf '%-45s %9d bytes  sha256 %s\n' "$file" "$(wc -c <"$file")" "$(sha256sum "$file" | cut -c1-16)"
done
