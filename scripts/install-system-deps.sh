#!/usr/bin/env bash
# System packages the report needs: a properly licensed CJK font (Noto Sans/Serif CJK, SIL OFL) so that charts
# and the Word/HTML report render Chinese text instead of missing-glyph boxes; and Debian's chromium, the browser
# the dashboard's tests drive through Playwright (tests/web; Playwright never downloads a browser of its own).
#
# Idempotent: does nothing when both are already installed. Runs apt-get only on Debian/Ubuntu; elsewhere it
# prints what to install. Needs root (or sudo) only when something is missing.
#
#   scripts/install-system-deps.sh              # the font (required by `digiscore report`) and chromium
#   scripts/install-system-deps.sh --no-browser # the font only (a server that runs no browser tests)
#   scripts/install-system-deps.sh --render     # also LibreOffice + poppler, for scripts that render docx → PNG
set -euo pipefail

want_render=0
want_browser=1
for arg in "$@"; do
  case "$arg" in
    --render) want_render=1 ;;
    --no-browser) want_browser=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

packages=()
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  packages+=(fonts-noto-cjk fontconfig)
fi
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  packages+=(chromium)
fi
if [ "$want_render" = 1 ]; then
  command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-writer-nogui)
  command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
fi

if [ ${#packages[@]} -eq 0 ]; then
  echo "system dependencies already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "please install: ${packages[*]} (Noto Sans CJK font, chromium; no apt-get on this machine)" >&2
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
