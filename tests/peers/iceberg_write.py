#!/usr/bin/env python3
"""Independent Iceberg writer: pyiceberg creates and appends to a table in ticklake's catalog.

    iceberg_write.py --catalog PATH --warehouse URI --table default.NAME --rows N

Creates the table (index string, ts timestamptz, close double, volume long; partitioned by
identity(index) and day(ts)) under the warehouse (file:///abs/lake) and appends N rows in two
appends: row i has index "HSI" or "N225" (alternating), ts 2026-01-01 + i hours (UTC),
close = i + 0.5 and volume = i. Prints {"snapshots": 2, "records": N, "close_sum": S}.
"""

import argparse
import datetime
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--rows", type=int, required=True)
    args = parser.parse_args()

    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import DayTransform, IdentityTransform
    from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

    catalog = SqlCatalog("ticklake", uri=f"sqlite:///{args.catalog}", warehouse=args.warehouse)
    namespace = args.table.split(".")[0]
    if (namespace,) not in catalog.list_namespaces():
        catalog.create_namespace(namespace)
    schema = Schema(
        NestedField(1, "index", StringType(), required=False),
        NestedField(2, "ts", TimestamptzType(), required=False),
        NestedField(3, "close", DoubleType(), required=False),
        NestedField(4, "volume", LongType(), required=False),
    )
    spec = PartitionSpec(PartitionField(1, 1000, IdentityTransform(), "index"),
                         PartitionField(2, 1001, DayTransform(), "ts_day"))
    table = catalog.create_table(args.table, schema, partition_spec=spec)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    arrow_schema = pa.schema([("index", pa.string()), ("ts", pa.timestamp("us", "UTC")),
                              ("close", pa.float64()), ("volume", pa.int64())])
    half = args.rows // 2
    for lo, hi in ((0, half), (half, args.rows)):
        rows = range(lo, hi)
        table.append(pa.table({
            "index": ["HSI" if i % 2 == 0 else "N225" for i in rows],
            "ts": [start + datetime.timedelta(hours=i) for i in rows],
            "close": [i + 0.5 for i in rows],
            "volume": list(rows),
        }, schema=arrow_schema))
    print(json.dumps({"snapshots": len(table.metadata.snapshots), "records": args.rows,
                      "close_sum": sum(i + 0.5 for i in range(args.rows))}))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        print(f"iceberg_write: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
