#!/usr/bin/env bash
# Vendor the front-end libraries the web app serves from its own static folder (nothing is
# loaded from the internet at run time):
#   - Apache ECharts (Apache-2.0): dist/echarts.min.js, LICENSE, NOTICE
#   - swagger-ui-dist (Apache-2.0): the OpenAPI docs page's bundle and stylesheet, LICENSE, NOTICE
# Usage: scripts/vendor_echarts.sh   (needs node + npm and access to the npm registry)
# The copied files are committed, so this only needs re-running to upgrade a version.
set -euo pipefail

ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"
SWAGGER_VERSION="${SWAGGER_VERSION:-5.35.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/digindex/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "echarts@$ECHARTS_VERSION" "swagger-ui-dist@$SWAGGER_VERSION" >/dev/null

mkdir -p "$DEST/echarts" "$DEST/swagger-ui"
cp node_modules/echarts/dist/echarts.min.js "$DEST/echarts/echarts.min.js"
cp node_modules/echarts/LICENSE "$DEST/echarts/LICENSE"
if [ -f node_modules/echarts/NOTICE ]; then cp node_modules/echarts/NOTICE "$DEST/echarts/NOTICE"; fi
echo "echarts $ECHARTS_VERSION (npm), dist/echarts.min.js; Apache-2.0" > "$DEST/echarts/VERSION"

for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do
  if [ -f "node_modules/swagger-ui-dist/$f" ]; then cp "node_modules/swagger-ui-dist/$f" "$DEST/swagger-ui/$f"; fi
done
echo "swagger-ui-dist $SWAGGER_VERSION (npm); Apache-2.0" > "$DEST/swagger-ui/VERSION"

echo "vendored echarts $ECHARTS_VERSION and swagger-ui-dist $SWAGGER_VERSION into $DEST"
