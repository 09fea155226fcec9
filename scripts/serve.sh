#!/usr/bin/env bash
# `make run`'s last step: web, worker and beat under honcho until Ctrl-C, which stops all three
# and ends quietly with 0.
#
# Job control (set -m) runs honcho as the terminal's foreground job, so Ctrl-C reaches honcho
# alone: honcho sends SIGTERM to the three and answers 130, which means "stopped as asked".
# Without it make would get the SIGINT too and end with "Error 130" / "Interrupt".
set -m
cd "$(dirname "$0")/.."
# honcho sends SIGKILL to whatever still runs 5 s after its SIGTERM; the worker's warm shutdown
# (its pool ends the task it runs) may take longer on a busy machine: 30 s here.
.venv/bin/python -c 'import sys, honcho.command, honcho.manager
honcho.manager.KILL_WAIT = 30
sys.exit(honcho.command.main())' start --no-prefix -f Procfile
rc=$?
if [ "$rc" -eq 130 ]; then
  echo "Wahaj stopped."
  exit 0
fi
exit "$rc"
