#!/usr/bin/env bash
# System packages, installed only when missing (apt-get on Debian/Ubuntu; elsewhere it prints what to install):
#
#   scripts/install-system-deps.sh            # for users (scripts/setup): the CJK font the report's charts use
#   scripts/install-system-deps.sh --tests    # for the tests (scripts/test): the font, Debian's chromium (the
#                                             # browser the dashboard's tests drive through Playwright) and
#                                             # LibreOffice Writer + Math and poppler
#                                             # (tests/report/test_report_rendered.py reads the PDF LibreOffice
#                                             # makes of the Word report)
#   scripts/install-system-deps.sh --render   # also LibreOffice Writer, Math and Calc + poppler, for
#                                             # rendering the Word report and the Excel files → PDF → PNG
#
# The font is Noto Sans/Serif CJK (SIL OFL): with it, charts render Chinese instead of missing-glyph boxes.
# digiscore runs without it too: the report is then written without charts, after one warning. chromium is
# needed by nothing but the browser tests (tests/web; Playwright never downloads a browser of its own).
# Idempotent: does nothing when everything asked for is there. Needs root (or sudo) only when something is
# missing.
set -euo pipefail

want_render=0
want_calc=0
want_browser=0
for arg in "$@"; do
  case "$arg" in
    --tests) want_browser=1; want_render=1 ;;
    --render) want_render=1; want_calc=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

packages=()
# (the font list is read whole first: `fc-list | grep -q` would end fc-list early, and pipefail then calls the
# pipe a failure although the font was found)
fonts=$(fc-list 2>/dev/null || true)
if ! grep -qi "Noto Sans CJK" <<<"$fonts"; then
  packages+=(fonts-noto-cjk fontconfig)
fi
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  packages+=(chromium)
fi
if [ "$want_render" = 1 ]; then
  command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-writer-nogui)
  # Math: without it LibreOffice drops the report's equations (OMML) from the PDF without a word
  dpkg -s libreoffice-math-nogui >/dev/null 2>&1 || dpkg -s libreoffice-math >/dev/null 2>&1 \
    || packages+=(libreoffice-math-nogui)
  command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
fi
if [ "$want_calc" = 1 ] && ! dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 && ! dpkg -s libreoffice-calc >/dev/null 2>&1; then
  packages+=(libreoffice-calc-nogui)
fi

if [ ${#packages[@]} -eq 0 ]; then
  echo "system dependencies already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "please install: ${packages[*]} (no apt-get on this machine)" >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
fc-cache -f >/dev/null 2>&1 || true
# matplotlib caches the font list; drop the cache so the new font is found on the next import.
rm -f "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-*.json 2>/dev/null || true
echo "installed: ${packages[*]}"
