#!/usr/bin/env bash
# Install the Debian packages digindex needs, only those missing.
#   scripts/system-deps.sh core   CJK fonts and the libraries WeasyPrint needs (reports, PDF)
#   scripts/system-deps.sh test   also poppler (PDF checks), a JRE (Spark), PostgreSQL and
#                                 Chromium (web end-to-end tests)
set -euo pipefail
want=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if [ "${1:-core}" = "test" ]; then
  want+=(poppler-utils postgresql chromium)
  command -v java >/dev/null 2>&1 || want+=(default-jre-headless)
fi
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || want+=(python3-venv)
missing=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (install them as root)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
