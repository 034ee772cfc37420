#!/usr/bin/env python3
"""Writes a large MaaSModel manifest, as `kubectl get maasmodels -A -o yaml` writes a List, for
bench/catalog-memory.sh and for trying the catalog limits by hand.

Usage: python3 bench/catalog-manifest.py COUNT [--kind MaaSModel|MaaSModelRef] [--namespaces N]
                                          [--endpoint-base URL] > models.yaml
20 000 models make about 5.6 MB (the size issue 13 measured with).
"""
import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("--kind", default="MaaSModel", choices=["MaaSModel", "MaaSModelRef"])
    parser.add_argument("--namespaces", type=int, default=20)
    parser.add_argument("--endpoint-base", default="http://127.0.0.1:9")
    parser.add_argument("--prefix", default="model", help="model name prefix, so two files can differ")
    args = parser.parse_args()
    out = sys.stdout
    out.write("apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n")
    for index in range(args.count):
        name = f"{args.prefix}-{index:05d}"
        namespace = f"team-{index % args.namespaces:02d}"
        out.write(
            f"""- apiVersion: maas.opendatahub.io/v1alpha1
  kind: {args.kind}
  metadata:
    name: {name}
    namespace: {namespace}
  spec:
    modelRef:
      kind: LLMInferenceService
      name: {name}
  status:
    endpoint: {args.endpoint_base}/llm/{namespace}/{name}
    phase: Ready
"""
        )


if __name__ == "__main__":
    main()
