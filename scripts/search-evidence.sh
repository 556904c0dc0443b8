#!/usr/bin/env bash
# The measured evidence of the schedule search (issue #24, docs/search.md "Evidence"): for the shipped
# Fashion-MNIST ViT on this CPU, the search's fastest schedule of each method with a predicted top-1
# drop ≤ 1 pp, and the POMT rule's pick (and its release variant), each MEASURED (`tailprune measure`,
# ROUNDS rounds alternating with the unpruned model) and EVALUATED on the full test split.
# It prints a markdown table: method, schedule, predicted and measured latency vs unpruned (%, with
# the measured interval), measured top-1 and drop, and the headline row.
#
#   scripts/search-evidence.sh [OUT_DIR]        (ROUNDS=10, CLI=build/app/tailprune by default)
#
# It measures latency: run it on a quiet machine (nothing else compiling or measuring); it takes
# about 8 × (ROUNDS × ~2 s + ~5 s evaluation) ≈ 4 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${CLI:-build/app/tailprune}
ROUNDS=${ROUNDS:-10}
OUT=${1:-search-evidence}
PROFILE=profiles/cpu-2core_fmnist_vit8_fp32_b1.json.gz
WEIGHTS=resources/models/fmnist_vit8/fmnist_vit8.safetensors
mkdir -p "$OUT"

for method in pomt pomt_nomerge topk zerotprune tome random; do
  "$CLI" search --profile "$PROFILE" --method "$method" --max-drop 1 --json --save-top 1 --out "$OUT/$method" \
    > "$OUT/search-$method.json" || echo "search: no $method schedule within 1 pp" >&2
done
"$CLI" search --profile "$PROFILE" --rule pomt --json --save-top 1 --out "$OUT/rule" > "$OUT/rule.json"
"$CLI" search --profile "$PROFILE" --rule pomt-release --json --save-top 1 --out "$OUT/rule-release" > "$OUT/rule-release.json"

"$CLI" evaluate --weights "$WEIGHTS" --split test --json --quiet --threads 1 > "$OUT/unpruned.eval.json"
for schedule in "$OUT"/*/search-01-*.json; do
  case "$schedule" in *.measure.json|*.eval.json) continue ;; esac
  "$CLI" measure --schedule "$schedule" --weights "$WEIGHTS" --rounds "$ROUNDS" --threads 1 --json > "${schedule%.json}.measure.json"
  "$CLI" evaluate --weights "$WEIGHTS" --schedule "$schedule" --split test --json --quiet --threads 1 > "${schedule%.json}.eval.json"
done

python3 - "$OUT" <<'PY'
import glob, json, math, os, sys
out = sys.argv[1]
base = json.load(open(os.path.join(out, "unpruned.eval.json")))["top1"]
rows = []
for schedule in sorted(glob.glob(os.path.join(out, "*", "search-01-*.json"))):
    if schedule.endswith((".measure.json", ".eval.json")):
        continue
    stem = schedule[:-5]
    kind = os.path.basename(os.path.dirname(schedule))
    doc = json.load(open(schedule))
    meas = json.load(open(stem + ".measure.json"))
    top1 = json.load(open(stem + ".eval.json"))["top1"]
    if kind.startswith("rule"):
        pred = json.load(open(os.path.join(out, kind + ".json")))["pick"]
    else:
        search = json.load(open(os.path.join(out, "search-" + kind + ".json")))
        pred = search["front"][search["best"]]
    s, b = meas["schedule"], meas["baseline"]
    pct = 100 * s["median_ms"] / b["median_ms"]
    half = pct * math.hypot(s.get("rel_noise", 0), b.get("rel_noise", 0))
    rows.append(dict(kind=kind, method=doc["method"], name=doc["name"], pred=pred["predicted_pct"],
                     pct=pct, half=half, top1=top1, drop=100 * (base - top1)))
print(f"unpruned: top-1 {100*base:.2f}% (test split)\n")
print("| pick | method | schedule | predicted latency | measured latency vs unpruned | top-1 | drop |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['kind']} | {r['method']} | {r['name']} | {r['pred']:.1f}% | {r['pct']:.1f}% ± {r['half']:.1f} | "
          f"{100*r['top1']:.2f}% | {r['drop']:.2f} pp |")
ok = [r for r in rows if r["drop"] <= 1.0]
if ok:
    head = min(ok, key=lambda r: r["pct"])
    print(f"\nheadline: {head['name']} at {head['pct']:.1f}% of unpruned (measured), drop {head['drop']:.2f} pp")
    for base_method in ("tome", "topk"):
        peers = [r for r in rows if r["method"] == base_method]
        for p in peers:
            same = abs(p["top1"] - head["top1"]) <= 0.003
            print(f"  vs {base_method} {p['name']}: {p['pct']:.1f}%, top-1 {100*p['top1']:.2f}% "
                  f"({'equal accuracy within 0.3 pp' if same else 'NOT within 0.3 pp: nearest only'}); "
                  f"{'faster' if head['pct'] < p['pct'] else 'not faster'}")
    print(f"  goal ≥ 15% faster than unpruned at ≤ 1 pp: {'met' if head['pct'] <= 85 else 'not met'}")
else:
    print("\nno measured schedule within 1 pp of the unpruned top-1")
PY
