# Helpers for the browser tests: a real headless Chromium (Debian's `chromium`) renders a page,
# keeps a screenshot and the DOM after its scripts ran, and the test asserts on that DOM.
source "$(dirname "${BASH_SOURCE[0]}")/../smoke/lib.sh"  # envof, fail, pass, retry

command -v chromium >/dev/null || fail "chromium not installed (run scripts/setup.sh)"

# render URL NAME ARTEFACTS: opens URL in headless Chromium and writes ARTEFACTS/NAME.png (the
# screenshot) and ARTEFACTS/NAME.html (the DOM once the page's scripts settled), and prints
# where they are (CTest shows them with the test output).
# --virtual-time-budget lets the page run its fetches and rendering before the snapshot instead
# of a fixed sleep; each call gets a fresh profile, so nothing leaks between pages or runs.
render() {
  local url="$1" name="$2" out="$3" profile rc=0
  mkdir -p "$out"
  profile="$(mktemp -d "${TMPDIR:-/tmp}/pulse-chromium.XXXXXX")"
  # --no-sandbox: CTest may run as root, where Chromium's sandbox refuses to start.
  local flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
    --hide-scrollbars --user-data-dir="$profile" --window-size=1400,900 --virtual-time-budget=15000)
  timeout -k 5 90 chromium "${flags[@]}" --screenshot="$out/$name.png" --dump-dom "$url" \
    >"$out/$name.html" 2>"$out/$name.log" || rc=$?
  rm -rf "$profile"
  ((rc == 0)) || fail "chromium failed ($rc) on $url; see $out/$name.log"
  [[ -s "$out/$name.png" ]] || fail "chromium wrote no screenshot for $url"
  echo "screenshot: $out/$name.png (DOM: $out/$name.html)"
}

# dom_text NAME ARTEFACTS: the rendered page's text, tags stripped, so assertions read what a
# user sees (the UIs split one label pair over several elements).
dom_text() { sed -e 's/<[^>]*>//g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g' "$2/$1.html"; }
