#!/usr/bin/env bash
# Lighthouse scores of the main pages of every role, desktop and phone, against a running
# demo platform (`make run`). Needs Node (npx fetches lighthouse@12) and Debian's chromium.
#   bash bench/lighthouse.sh [base-url]        (default http://127.0.0.1:8000)
# Sessions come from the demo users in the same database (DATABASE_URL as for `make run`).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-http://127.0.0.1:8000}
out=$(mktemp -d)
# One read of the demo data: a session per role, the first escalated case, the first review.
read -r cookies case_path review_path < <(DEBUG=1 .venv/bin/python manage.py shell --verbosity 0 -c '
import json
from django.contrib.auth import get_user_model
from django.test import Client
from compliance.models import ProductReview
from disputes.models import AfterSaleRequest
sessions = {}
for name in ("merchant_a", "agent", "reviewer"):
    client = Client()
    client.force_login(get_user_model().objects.get(username=name))
    sessions[name] = client.cookies["sessionid"].value
case = AfterSaleRequest.objects.filter(escalated_at__isnull=False).order_by("pk").first()
review = ProductReview.objects.order_by("pk").first()
print(json.dumps(sessions, separators=(",", ":")), f"/support/cases/{case.pk}/",
      f"/admin/compliance/productreview/{review.pk}/change/")')
pages=(
  "merchant_a /seller/" "merchant_a /seller/orders/" "merchant_a /seller/products/"
  "merchant_a /seller/deposit/" "merchant_a /seller/after-sales/"
  "merchant_a /seller/notifications/" "merchant_a /seller/promotions/flash-sales/"
  "merchant_a /seller/academy/" "agent /support/" "agent $case_path" "reviewer /admin/"
  "reviewer $review_path"
)
printf '%-46s %-8s %-6s %5s %5s %5s %5s\n' page form lang perf a11y best seo
for lang in zh-hans en; do
  for form in desktop mobile; do
    for entry in "${pages[@]}"; do
      user=${entry%% *}; path=${entry#* }
      sid=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$cookies" "$user")
      preset=(); [ "$form" = desktop ] && preset=(--preset=desktop)
      report="$out/report.json"
      npx --yes lighthouse@12 "$base$path" --quiet --output=json --output-path="$report" \
        --chrome-path="$(command -v chromium)" --chrome-flags="--headless=new --no-sandbox" \
        "${preset[@]}" --only-categories=performance,accessibility,best-practices,seo \
        --extra-headers "{\"Cookie\":\"sessionid=$sid; django_language=$lang\"}" >/dev/null 2>&1 || true
      python3 - "$report" "$path" "$form" "$lang" <<'PY'
import json, sys
report, path, form, lang = sys.argv[1:]
data = json.load(open(report))
score = lambda key: round((data["categories"][key]["score"] or 0) * 100)
error = data.get("runtimeError", {}).get("code", "")
print(f"{path:46} {form:8} {lang:6} {score('performance'):5} {score('accessibility'):5}"
      f" {score('best-practices'):5} {score('seo'):5} {error}")
PY
    done
  done
done
rm -rf "$out"
