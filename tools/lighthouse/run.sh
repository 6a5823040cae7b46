#!/usr/bin/env bash
# `make lighthouse`: Lighthouse (npm, installed into tools/lighthouse/node_modules) against
# the production setup: gunicorn, whitenoise's compressed hashed static files, DEBUG off,
# demo data in a throwaway SQLite database. Prints performance and accessibility scores of
# /, /program/gbrss/ and /wilayah/16.07/ on Lighthouse's desktop and mobile presets, run
# with Debian's Chromium (CHROME_PATH). Each page and preset runs LIGHTHOUSE_RUNS times
# (default 3) and the run with the median performance score is printed. Not a test:
# scores vary with the machine's load.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/tools/lighthouse"
PY="$ROOT/.venv/bin/python"
PORT="${LIGHTHOUSE_PORT:-8765}"
PAGES="${LIGHTHOUSE_PAGES:-/ /program/gbrss/ /wilayah/16.07/}"
RUNS="${LIGHTHOUSE_RUNS:-3}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

if [ ! -x "$HERE/node_modules/.bin/lighthouse" ]; then
  (cd "$HERE" && npm install --no-audit --no-fund --loglevel=error)
fi

WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DJANGO_DEBUG=0 DEMO_MODE=1 PUBLIC_DASHBOARD=1
export DJANGO_SECRET_KEY="lighthouse-local-only-not-secret"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_HSTS_SECONDS=0
export DATABASE_URL="sqlite:///$WORK/lighthouse.sqlite3"
export DJANGO_STATIC_ROOT="$WORK/static"
unset DJANGO_PLAIN_STATIC

cd "$ROOT"
echo "Preparing the production setup in $WORK (migrate, demo data, collectstatic)..."
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py bootstrap_demo --force > /dev/null
"$PY" manage.py collectstatic --noinput -v 0
"$ROOT/.venv/bin/gunicorn" -c gunicorn.conf.py --bind "127.0.0.1:$PORT" --workers 2 \
  --access-logfile /dev/null sumsel_gerakan.wsgi > "$WORK/gunicorn.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && break
  sleep 0.2
done
for page in $PAGES; do curl -fsS -o /dev/null "http://127.0.0.1:$PORT$page"; done  # warm

printf "\n%-18s %-8s %12s %14s\n" "page" "preset" "performance" "accessibility"
for page in $PAGES; do
  for preset in desktop mobile; do
    flags=()
    [ "$preset" = desktop ] && flags=(--preset=desktop)
    reports=()
    for run in $(seq 1 "$RUNS"); do
      out="$WORK/report-$run.json"
      "$HERE/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT$page" "${flags[@]}" \
        --only-categories=performance,accessibility --output=json --output-path="$out" \
        --quiet --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" \
        > /dev/null 2>&1 && reports+=("$out")
    done
    [ "${#reports[@]}" -gt 0 ] || { echo "$page $preset: lighthouse failed"; continue; }
    "$PY" - "$page" "$preset" "${reports[@]}" <<'PY'
import json, sys
page, preset, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
reports = sorted(
    (json.load(open(p)) for p in paths),
    key=lambda r: r["categories"]["performance"]["score"],
)
report = reports[len(reports) // 2]  # the median run by performance
cat, audits = report["categories"], report["audits"]
score = lambda k: round(cat[k]["score"] * 100)
detail = ", ".join(
    f"{name} {audits[key]['displayValue']}"
    for name, key in [("FCP", "first-contentful-paint"), ("LCP", "largest-contentful-paint"),
                      ("TBT", "total-blocking-time"), ("CLS", "cumulative-layout-shift")]
    if audits.get(key, {}).get("displayValue")
)
every = "/".join(str(round(r["categories"]["performance"]["score"] * 100)) for r in reports)
print(f"{page:<18} {preset:<8} {score('performance'):>12} {score('accessibility'):>14}   {detail} (runs: {every})")
PY
  done
done
