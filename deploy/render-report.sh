#!/usr/bin/env bash
# Renders an mca HTML report (mca campaign --report FILE.html) to a PNG with Debian's headless Chromium, to check
# the page in a real browser: deploy/render-report.sh report.html [out.png]
# Installs chromium with apt-get if it is absent and we are root. The page is self-contained, so the browser is
# started with networking cut off (--host-resolver-rules) to prove that nothing is fetched.
set -euo pipefail
report=${1:?usage: render-report.sh REPORT.html [OUT.png]}
out=${2:-${report%.html}.png}
[ -f "$report" ] || { echo "render-report: $report: no such file" >&2; exit 2; }
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq chromium >/dev/null
  else
    echo "render-report: chromium is not installed (apt-get install chromium)" >&2
    exit 2
  fi
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$profile" \
  --host-resolver-rules="MAP * ~NOTFOUND" --hide-scrollbars --window-size=1200,4000 \
  --screenshot="$(realpath -m "$out")" "file://$(realpath "$report")" >/dev/null 2>&1
[ -s "$out" ] || { echo "render-report: chromium wrote no $out" >&2; exit 1; }
echo "render-report: $out"
