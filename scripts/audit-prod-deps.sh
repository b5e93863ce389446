#!/usr/bin/env bash
# Fails on a high or critical advisory in the production dependencies. When the registry has no
# audit endpoint (a mirror that answers 4xx/5xx, or no network), nothing can be checked: that is
# said loudly, and the script exits 0 so an offline build still runs its tests; the release
# checklist (docs/operations.md) requires a real audit before publishing an image.
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(npm audit --omit=dev --audit-level=high --json 2>/dev/null)
status=$?
if [ $status -eq 0 ]; then
  echo "npm audit: no high or critical advisory in production dependencies"
  exit 0
fi
if printf '%s' "$report" | node -e '
  let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
    let report; try { report = JSON.parse(text); } catch { process.exit(0); }
    // An audit that ran has a "vulnerabilities" section; an endpoint failure has a statusCode or error.
    process.exit(report.vulnerabilities ? 1 : 0);
  });'; then
  reason=$(printf '%s' "$report" | node -e 'let t="";process.stdin.on("data",(c)=>(t+=c)).on("end",()=>{try{const r=JSON.parse(t);console.log(r.message??r.error?.summary??"no answer")}catch{console.log("no answer")}})')
  echo "WARNING: npm audit could not run: the registry's audit endpoint failed (${reason}). Production dependencies were NOT checked for advisories." >&2
  exit 0
fi
echo "npm audit: high or critical advisories in production dependencies:" >&2
npm audit --omit=dev --audit-level=high >&2 || true
exit 1
