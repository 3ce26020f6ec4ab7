#!/usr/bin/env bash
# Load test: gunicorn + a Celery worker on the benchmark database, driven by locust (bench/locustfile.py).
# Usage: bench/load.sh [users=200] [minutes=10]   (env: BENCH_DATABASE_URL, BENCH_TEAMS, BENCH_USERS)
set -euo pipefail
cd "$(dirname "$0")/.."
USERS_N=${1:-200}
MINUTES=${2:-10}
PORT=${PORT:-8001}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} CELERY_QUEUE=crm-load
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/1}
# Production settings over plain HTTP on localhost: no SSL redirect, cookies not marked Secure.
export DEBUG=0 SECRET_KEY=${SECRET_KEY:-bench-only} SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 ALLOWED_HOSTS=127.0.0.1,localhost
.venv/bin/pip install --quiet -r bench/requirements.txt
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/gunicorn config.wsgi:application --bind 127.0.0.1:$PORT --workers ${WEB_WORKERS:-4} \
  --log-level warning > bench/results/gunicorn.log 2>&1 &
WEB=$!
.venv/bin/celery -A config worker --concurrency 1 --loglevel WARNING > bench/results/worker.log 2>&1 &
WORKER=$!
trap 'kill $WEB $WORKER 2>/dev/null || true' EXIT
sleep 3
# Users arrive 2 a second (each logs in: PBKDF2, by design slow); the statistics start again
# once all are in, and the run then lasts MINUTES at full strength. The ramp's own figures stay
# in bench/results/load_stats_history.csv.
RATE=2
RAMP=$(( (USERS_N + RATE - 1) / RATE ))
# Web CPU: user + system time of gunicorn's master and workers (/proc), over the measured window.
web_cpu_ticks() {
  local total=0 pid fields
  for pid in $WEB $(pgrep -P $WEB); do
    read -r -a fields < "/proc/$pid/stat" || continue
    total=$(( total + fields[13] + fields[14] ))
  done
  echo $total
}
.venv/bin/locust -f bench/locustfile.py --headless -u "$USERS_N" -r "$RATE" -t "$(( MINUTES * 60 + RAMP ))s" \
  --reset-stats --host "http://127.0.0.1:$PORT" --only-summary --csv bench/results/load &
LOCUST=$!
sleep "$RAMP"
CPU_START=$(web_cpu_ticks)
wait $LOCUST
CPU_END=$(web_cpu_ticks)
REQUESTS=$(awk -F, '$2 == "Aggregated" { print $3 }' bench/results/load_stats.csv)
awk -v ticks=$(( CPU_END - CPU_START )) -v hz="$(getconf CLK_TCK)" -v n="$REQUESTS" 'BEGIN {
  printf "web CPU over the measured window: %.1f s for %d requests, %.1f ms a request\n", ticks / hz, n, n ? ticks / hz * 1000 / n : 0
}' | tee bench/results/load_cpu.txt
