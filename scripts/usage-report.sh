#!/usr/bin/env bash
# Sums maas-proxy access lines into tokens per caller and model (SPEC 7): reads JSON log lines from
# the files given (or stdin) and prints one TSV row per (credentialId, subscription, model):
#   credentialId  subscription  model  requests  inputTokens  outputTokens  cachedInputTokens  usageMissing
# Lines that are not access lines, or have no credentialId or model, are skipped. usageMissing counts
# 2xx lines of a metered call without any token field. Needs jq.
#   kubectl logs deploy/maas-proxy | scripts/usage-report.sh
#   scripts/usage-report.sh proxy.log | sort -t$'\t' -k6,6nr | head   # the heaviest callers first
set -euo pipefail
command -v jq >/dev/null || { echo "usage-report: jq is required (apt-get install jq)" >&2; exit 1; }
printf 'credentialId\tsubscription\tmodel\trequests\tinputTokens\toutputTokens\tcachedInputTokens\tusageMissing\n'
jq -R -r -n '
  [inputs | fromjson? | select(.msg == "access" and .credentialId != null and .model != null)]
  | group_by([.credentialId, (.subscription // ""), .model])[]
  | [.[0].credentialId, (.[0].subscription // ""), .[0].model, length,
     (map(.inputTokens // 0) | add), (map(.outputTokens // 0) | add), (map(.cachedInputTokens // 0) | add),
     (map(select(.status >= 200 and .status < 300 and .route != "models"
                 and .inputTokens == null and .outputTokens == null and .cachedInputTokens == null
                 and (.path | test("/v1/(chat/completions|completions|embeddings|responses|messages)$"))))
      | length)]
  | @tsv' "$@"
