#!/usr/bin/env bash
# Installs the system packages legaltv needs where they are missing (Debian/Ubuntu; root or sudo).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ "${LEGALTV_SYSTEM_DEPS:-run}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
fi
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "legaltv: installing system packages: ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
