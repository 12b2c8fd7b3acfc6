#!/usr/bin/env bash
# Make sure the few system libraries Qt (and OpenCV, for OCR) need to run headless are present.
# Debian/Ubuntu only, and only when they are missing: a machine that already runs Qt
# offscreen (most desktops, our dev images) installs nothing.
set -euo pipefail
PY="${1:-.venv/bin/python}"
# OpenCV (pulled in by the offline OCR, rapidocr) needs libGL and libglib too.
if QT_QPA_PLATFORM=offscreen "$PY" -c "from PySide6.QtWidgets import QApplication; QApplication([])" >/dev/null 2>&1 \
  && "$PY" -c "import cv2" >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing the system libraries Qt needs (libegl1, libgl1, fontconfig, fonts)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libegl1 libgl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3 fonts-dejavu-core >/dev/null
else
  echo "Qt cannot start headless here; install libegl1, libgl1, libfontconfig1 and libxkbcommon0." >&2
  exit 1
fi
