#!/usr/bin/python3
"""Peers for tests/produce_test.cc, run with Debian's /usr/bin/python3 (python3-kafka).

  consume BOOTSTRAP TOPIC EXPECTED   read EXPECTED messages with kafka-python; print stats as JSON
  write-csv DIR                      write DIR/input.csv with the csv module and DIR/expected.jsonl
  compare EXPECTED ACTUAL            compare JSON lines as multisets; print a JSON verdict
"""
import csv
import json
import os
import sys
import time


def consume(bootstrap, topic, expected):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.partitioner.default import murmur2

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    deadline = time.time() + 20
    partitions = None
    while partitions is None and time.time() < deadline:
        partitions = consumer.partitions_for_topic(topic)
        if partitions is None:
            time.sleep(0.1)
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    stats = {"count": 0, "invalid_json": 0, "key_not_index": 0, "murmur2_mismatch": 0,
             "keys_on_several_partitions": 0, "partitions": len(tps)}
    key_partitions = {}
    while stats["count"] < expected and time.time() < deadline:
        for tp, records in consumer.poll(timeout_ms=200).items():
            for r in records:
                stats["count"] += 1
                try:
                    value = json.loads(r.value)
                except ValueError:
                    stats["invalid_json"] += 1
                    continue
                if r.key is None or value.get("Index") != r.key.decode():
                    stats["key_not_index"] += 1
                    continue
                key_partitions.setdefault(r.key, set()).add(tp.partition)
                if (murmur2(r.key) & 0x7FFFFFFF) % len(tps) != tp.partition:
                    stats["murmur2_mismatch"] += 1
    stats["keys"] = len(key_partitions)
    stats["keys_on_several_partitions"] = sum(1 for s in key_partitions.values() if len(s) > 1)
    consumer.close()
    print(json.dumps(stats))


def write_csv(directory):
    rows = [
        {"Index": "NYA", "Date": "1965-12-31", "Open": 528.690002, "Volume": 0,
         "Note": "plain", "Code": "007"},
        {"Index": "HSI", "Date": "1986-12-31", "Open": 2568.300049, "Volume": 123456789,
         "Note": 'comma, "quotes" and\nnewline', "Code": "A-1"},
        {"Index": "N225", "Date": "2021-06-02", "Open": 1e-05, "Volume": None,
         "Note": "", "Code": None},
        {"Index": "J203.JO", "Date": "2021-06-03", "Open": -3.5, "Volume": 7,
         "Note": "ünïcødé €", "Code": "x"},
    ]
    with open(os.path.join(directory, "input.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))  # QUOTE_MINIMAL, CRLF line ends
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    # What a CSV can carry: the csv module writes None and "" alike (empty, unquoted), so both
    # come back as null; everything else keeps its type.
    with open(os.path.join(directory, "expected.jsonl"), "w") as f:
        for row in rows:
            f.write(json.dumps({k: (None if v == "" else v) for k, v in row.items()}) + "\n")


def compare(expected_path, actual_path):
    def load(path):
        with open(path, encoding="utf-8") as f:
            return sorted(json.dumps(json.loads(line), sort_keys=True) for line in f if line.strip())
    expected, actual = load(expected_path), load(actual_path)
    print(json.dumps({"equal": expected == actual, "expected": expected, "actual": actual}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "consume":
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "write-csv":
        write_csv(sys.argv[2])
    elif command == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown command " + command)
