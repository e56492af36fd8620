#!/usr/bin/env bash
# Visual check of the quarterly report (not in CI): build a report, let LibreOffice open it
# headless and print it to PDF (a workbook needing repair fails to convert or converts empty),
# then render a few pages to PNG to look at.
#
#   bash benchmarks/report_pdf_check.sh [DB_URL] [QUARTER] [OUTDIR] [LANG]
#
# Needs: soffice (apt-get install libreoffice-calc-nogui), pdftoppm/pdfinfo (poppler-utils),
# and a CJK font (fonts-noto-cjk) so Chinese renders.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-}
Q=${2:-2026Q3}
OUT=${3:-/tmp/report_pdf_check}
LANG_=${4:-zh}
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/*.pdf
if [ -z "$DB" ]; then
  DB="sqlite:///$OUT/small.db"
  rm -f "$OUT/small.db"*
  .venv/bin/python -c "
from fundtrack.db import open_engine
from tests.factories import make_small_portfolio
make_small_portfolio(open_engine('$DB'))"
fi
XLSX="$OUT/report_$Q.xlsx"
.venv/bin/python -m reports --db "$DB" --lang "$LANG_" --quarter "$Q" -o "$XLSX"
# A fresh profile dir so a running LibreOffice or a stale lock never interferes.
PROFILE="$OUT/lo_profile"
timeout 600 soffice -env:UserInstallation=file://$PROFILE --headless --convert-to pdf --outdir "$OUT" "$XLSX" \
  > "$OUT/soffice.log" 2>&1 || { cat "$OUT/soffice.log"; echo "FAIL: LibreOffice could not convert"; exit 1; }
PDF="$OUT/report_$Q.pdf"
[ -s "$PDF" ] || { cat "$OUT/soffice.log"; echo "FAIL: no PDF"; exit 1; }
PAGES=$(pdfinfo "$PDF" | awk '/^Pages:/ {print $2}')
echo "PDF: $PDF, $PAGES pages"
pdftoppm -png -r 60 -f 1 -l "${MAX_PAGES:-12}" "$PDF" "$OUT/page"
ls "$OUT"/page*.png
echo "OK: open the PNGs above and look (fonts, widths, cut-off text, charts)"
