#!/usr/bin/env bash
# The Procfile's Celery worker. honcho stops a process by sending SIGTERM to its whole process
# group, which would kill the worker's pool processes at once ("exited with signal 15") while
# the worker still waits for them. Here the worker leads a group of its own: only its main
# process gets the SIGTERM, and it stops its pool itself (a warm shutdown: a running task ends).
setsid .venv/bin/celery -A wahaj worker "$@" &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null' TERM INT
rc=0
while kill -0 "$worker" 2>/dev/null; do
  wait "$worker"
  rc=$?
done
exit "$rc"
