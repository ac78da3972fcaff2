#!/usr/bin/env python3
"""Independent Iceberg reader: opens a ticklake table through pyiceberg's SqlCatalog.

    iceberg_read.py --catalog PATH --table default.NAME [--snapshot-id N] [--records-out FILE]

Prints one JSON object on stdout:
    {"snapshots": [{"snapshot_id", "parent_id", "sequence_number", "timestamp_ms", "operation",
                    "summary", "manifest_list"}, ...],
     "current_snapshot_id": N | null,
     "schema": [{"id", "name", "type", "required"}, ...],        # of the snapshot read
     "partition_spec": [{"source_id", "field_id", "name", "transform"}, ...],
     "files": N, "records": N}
"files" and "records" are the data files planned and the rows read for the snapshot (the current
one by default). With --records-out every row is written as one JSON object per line: timestamps
and dates as ISO 8601 text (timestamptz with +00:00), binary as hex, other values as JSON.
Exits non-zero with a message on stderr when the catalog, table or any file cannot be read.
Tables on S3 (s3://…) are read with the AWS environment: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (path-style requests).
Run it with the venv that scripts/setup.sh --test makes: .deps/venv/bin/python.
"""

import argparse
import datetime
import decimal
import json
import os
import sys


def to_json_value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, help="path of catalog.db")
    parser.add_argument("--table", required=True, help="NAMESPACE.NAME, e.g. default.stock_market")
    parser.add_argument("--snapshot-id", type=int)
    parser.add_argument("--records-out", help="write every row as JSON Lines to this file")
    args = parser.parse_args()

    from pyiceberg.catalog.sql import SqlCatalog

    properties = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        properties["s3.endpoint"] = endpoint
    for env, key in (("AWS_ACCESS_KEY_ID", "s3.access-key-id"),
                     ("AWS_SECRET_ACCESS_KEY", "s3.secret-access-key"),
                     ("AWS_SESSION_TOKEN", "s3.session-token"),
                     ("AWS_REGION", "s3.region")):
        if os.environ.get(env):
            properties[key] = os.environ[env]
    catalog = SqlCatalog("ticklake", uri=f"sqlite:///{args.catalog}", warehouse="file:///nonexistent",
                         **properties)
    table = catalog.load_table(args.table)
    metadata = table.metadata

    snapshots = []
    for s in metadata.snapshots:
        summary = dict(s.summary.additional_properties) if s.summary else {}
        operation = s.summary.operation.value if s.summary else None
        snapshots.append({
            "snapshot_id": s.snapshot_id,
            "parent_id": s.parent_snapshot_id,
            "sequence_number": s.sequence_number,
            "timestamp_ms": s.timestamp_ms,
            "operation": operation,
            "summary": summary,
            "manifest_list": s.manifest_list,
        })

    snapshot_id = args.snapshot_id if args.snapshot_id is not None else metadata.current_snapshot_id
    if args.snapshot_id is not None and table.snapshot_by_id(args.snapshot_id) is None:
        raise SystemExit(f"iceberg_read: table {args.table} has no snapshot {args.snapshot_id}")
    schema = table.schema()
    if snapshot_id is not None:
        snap = table.snapshot_by_id(snapshot_id)
        if snap.schema_id is not None:
            schema = table.schemas()[snap.schema_id]

    scan = table.scan(snapshot_id=snapshot_id) if snapshot_id is not None else table.scan()
    files = list(scan.plan_files()) if snapshot_id is not None else []
    arrow = scan.to_arrow() if snapshot_id is not None else None
    records = arrow.num_rows if arrow is not None else 0

    if args.records_out:
        with open(args.records_out, "w", encoding="utf-8") as out:
            if arrow is not None:
                for batch in arrow.to_batches():
                    for row in batch.to_pylist():
                        out.write(json.dumps({k: to_json_value(v) for k, v in row.items()}))
                        out.write("\n")

    spec = table.spec()
    result = {
        "snapshots": snapshots,
        "current_snapshot_id": metadata.current_snapshot_id,
        "schema": [{"id": f.field_id, "name": f.name, "type": str(f.field_type), "required": f.required}
                   for f in schema.fields],
        "partition_spec": [{"source_id": f.source_id, "field_id": f.field_id, "name": f.name,
                            "transform": str(f.transform)} for f in spec.fields],
        "files": len(files),
        "records": records,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # every failure is reported, with its type, as the reader's verdict
        print(f"iceberg_read: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
