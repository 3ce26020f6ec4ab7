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
# CPU over the measured window, user + system time from /proc: gunicorn's master and workers (the
# figure the target is about), and beside it the Celery worker, PostgreSQL and locust itself, which
# share the machine's cores and so the queueing behind every response time.
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    read -r -a fields < "/proc/$pid/stat" 2>/dev/null || continue
    # its own user and system time, and that of its children that have ended (a backend that
    # PostgreSQL has reaped, a worker gunicorn replaced)
    total=$(( total + fields[13] + fields[14] + fields[15] + fields[16] ))
  done
  echo $total
}
web_pids() { echo $WEB $(pgrep -P $WEB); }
worker_pids() { echo $WORKER $(pgrep -P $WORKER); }
database_pids() { local main; main=$(pgrep -o -u postgres postgres) && echo "$main" $(pgrep -P "$main"); }
locust_pids() { echo $LOCUST $(pgrep -P $LOCUST); }
.venv/bin/locust -f bench/locustfile.py --headless -u "$USERS_N" -r "$RATE" -t "$(( MINUTES * 60 + RAMP ))s" \
  --reset-stats --host "http://127.0.0.1:$PORT" --only-summary --csv bench/results/load &
LOCUST=$!
sleep "$RAMP"
read -r WEB0 WORKER0 DB0 LOCUST0 < <(echo "$(cpu_ticks $(web_pids)) $(cpu_ticks $(worker_pids)) $(cpu_ticks $(database_pids)) $(cpu_ticks $(locust_pids))")
START=$(date +%s)
sleep $(( MINUTES * 60 - 2 ))
read -r WEB1 WORKER1 DB1 LOCUST1 < <(echo "$(cpu_ticks $(web_pids)) $(cpu_ticks $(worker_pids)) $(cpu_ticks $(database_pids)) $(cpu_ticks $(locust_pids))")
SECONDS_MEASURED=$(( $(date +%s) - START ))
wait $LOCUST
REQUESTS=$(awk -F, '$2 == "Aggregated" { print $3 }' bench/results/load_stats.csv)
awk -v web=$(( WEB1 - WEB0 )) -v worker=$(( WORKER1 - WORKER0 )) -v db=$(( DB1 - DB0 )) -v gen=$(( LOCUST1 - LOCUST0 )) \
  -v hz="$(getconf CLK_TCK)" -v n="$REQUESTS" -v wall="$SECONDS_MEASURED" 'BEGIN {
  printf "web CPU over the measured window: %.1f s for %d requests, %.1f ms a request\n", web / hz, n, n ? web / hz * 1000 / n : 0
  printf "beside it, cores busy on average over %d s: web %.2f, Celery worker %.2f, PostgreSQL %.2f, locust %.2f\n", wall, web / hz / wall, worker / hz / wall, db / hz / wall, gen / hz / wall
}' | tee bench/results/load_cpu.txt
