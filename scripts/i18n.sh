#!/usr/bin/env bash
# The translation catalogues (docs/translation.md):
#   bash scripts/i18n.sh extract      # marked texts of the code → locales/messages.pot
#   bash scripts/i18n.sh update       # extract, merge into every language's messages.po,
#                                     # regenerate the pseudo-locale (qps)
#   bash scripts/i18n.sh init LANG    # start a new language's catalogue (then translate it)
#   bash scripts/i18n.sh pseudo       # regenerate only the pseudo-locale from the template
#   bash scripts/i18n.sh check        # the catalogue tests (complete, nothing fuzzy, …)
# No compiled .mo files: the app compiles the .po files in memory (ui/i18n.py).
set -euo pipefail
cd "$(dirname "$0")/.."

POT=locales/messages.pot
# the pseudo-locale is generated, never edited: `update` does not merge into it
LANGUAGES=$(find locales -mindepth 1 -maxdepth 1 -type d ! -name qps -printf '%f\n' | sort)

extract() {
  pybabel extract --mapping-file babel.cfg --output-file "$POT" --width 99 \
    --add-comments "Translators:" --strip-comments \
    --project "Supply-chain dashboard" --copyright-holder "" --msgid-bugs-address "" \
    --no-default-keywords -k _ -k gettext -k ngettext:1,2 -k pgettext:1c,2 \
    -k npgettext:1c,2,3 -k N_ \
    .
}

case "${1:-}" in
  extract)
    extract ;;
  update)
    extract
    for lang in $LANGUAGES; do
      pybabel update --input-file "$POT" --output-dir locales --domain messages --locale "$lang" \
        --width 99 --ignore-obsolete
    done
    python -m scripts.i18n_tools pseudo ;;
  init)
    lang="${2:?usage: scripts/i18n.sh init LANG}"
    extract
    pybabel init --input-file "$POT" --output-dir locales --domain messages --locale "$lang" \
      --width 99 ;;
  pseudo)
    python -m scripts.i18n_tools pseudo ;;
  check)
    python -m pytest -q tests/test_i18n.py ;;
  *)
    sed -n '2,9p' "$0"; exit 2 ;;
esac
