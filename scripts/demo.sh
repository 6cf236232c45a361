#!/usr/bin/env bash
# The demo: a chat page in plain JavaScript (examples/vanilla) using the npm package built in pkg/,
# served with a socket.io 4.8 chat server (examples/server/server.mjs). Open the printed address in
# two browser tabs and chat between them; stop the server (Ctrl-C) and start it again to watch the
# tabs reconnect (the page shows "reconnecting (attempt N)" meanwhile).
#
#   bash scripts/demo.sh              (npm run demo)
#   PORT=8080 bash scripts/demo.sh    another port
#   HOST=0.0.0.0 bash scripts/demo.sh reachable from other machines
#
# Runs in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-3000}

bash scripts/setup.sh
echo "[demo] building the package (node scripts/build.mjs)"
node scripts/build.mjs

echo "[demo] starting the chat server (Ctrl-C to stop)"
# server.mjs prints "chat server listening on <url>" once ready; the hint follows it.
node examples/server/server.mjs --static examples/vanilla --mount /pkg=pkg --port "$port" |
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case $line in
      "chat server listening on "*)
        url=${line#chat server listening on }
        printf '\n  Open %s/ in two browser tabs and chat between them.\n' "$url"
        printf '  Open %s/?shared in several tabs: they share one connection (the server counts one).\n' "$url"
        printf '  To watch the tabs reconnect, stop the server with Ctrl-C and start it again without\n'
        printf '  rebuilding: node examples/server/server.mjs --static examples/vanilla --mount /pkg=pkg --port %s\n\n' "$port"
        ;;
    esac
  done
