#!/usr/bin/env bash
# Installs the Debian packages ShopGuard's tests use, when they are missing:
#   chromium  - the dashboard's end-to-end tests (Playwright drives /usr/bin/chromium)
#   mosquitto - the MQTT channel's tests start their own broker
#   GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0, plugins) - the real
#               RTSP camera the reliability tests kill, stall and corrupt
# Needs root (or sudo); otherwise it says what to install and exits non-zero.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
for pkg in python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base \
           gstreamer1.0-plugins-good gstreamer1.0-plugins-bad; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo -n)
else
  echo "missing Debian packages: ${need[*]} (install them: apt-get install ${need[*]})" >&2
  exit 1
fi

echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
