"""Parses Prometheus text exposition from stdin with the reference client's parser
(python3-prometheus-client) and prints one line per sample: NAME{LABELS} VALUE, after a line
"# family NAME TYPE" per family. Exits 1 with the parser's message when the text does not parse."""
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    for family in text_string_to_metric_families(sys.stdin.read()):
        print(f"# family {family.name} {family.type}")
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            print(f"{sample.name}{{{labels}}} {sample.value}")
except Exception as e:  # the parser raises ValueError and others on malformed text
    print(f"not Prometheus text: {e}", file=sys.stderr)
    sys.exit(1)
