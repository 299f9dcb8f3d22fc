#!/usr/bin/env bash
# Installs the system packages legaltv needs where they are missing (Debian/Ubuntu, root or sudo).
# LEGALTV_SYSTEM_DEPS=test adds what the test suite needs (Chromium, docker-compose, wrk, nginx with its
# RTMP module); LEGALTV_SYSTEM_DEPS=ingest only what an ingest host needs (nginx with its RTMP module).
set -euo pipefail
need=()
want() { need+=("$@"); }
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || want ffmpeg
command -v fc-match >/dev/null 2>&1 || want fontconfig
fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null | grep -qi dejavu || want fonts-dejavu-core
command -v python3 >/dev/null 2>&1 || want python3
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || want python3-venv python3-pip
command -v npm >/dev/null 2>&1 || want nodejs npm
command -v make >/dev/null 2>&1 || want make
# LEGALTV_SYSTEM_DEPS=test or ingest: `legaltv ingest` takes RTMP through nginx's RTMP module (docs/live.md);
# the embedded default (`make run`) does not need nginx, so it is not installed (or started) for it
if [ "${LEGALTV_SYSTEM_DEPS:-run}" != "run" ]; then
  command -v nginx >/dev/null 2>&1 || want nginx-light
  [ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ] || want libnginx-mod-rtmp
fi
if [ "${LEGALTV_SYSTEM_DEPS:-run}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || want chromium
  command -v docker-compose >/dev/null 2>&1 || want docker-compose
  command -v wrk >/dev/null 2>&1 || want wrk
  command -v nginx >/dev/null 2>&1 || want nginx-light
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "legaltv: please install these Debian packages (as root): ${need[*]}" >&2
  exit 1
fi
echo "legaltv: installing system packages: ${need[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
