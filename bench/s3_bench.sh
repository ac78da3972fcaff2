#!/usr/bin/env bash
# Object store benchmarks against the local S3 server (s3rver), each next to its baseline in the
# same run: COUNT small PUTs (objects/s) vs one curl process uploading the same objects over
# reused connections; one SIZE_MB PUT and GET (MB/s) vs curl and awscli.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
COUNT=${COUNT:-500}
SIZE_MB=${SIZE_MB:-64}
RUNS=${RUNS:-5}
start_s3 bench
AWS=/usr/bin/aws
SIG=(--aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER)
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

head -c 1024 /dev/urandom >"$WORK/small.bin"
head -c $((SIZE_MB << 20)) /dev/urandom >"$WORK/large.bin"
# One curl process for all small objects (connection reuse), as fair a baseline as curl allows.
for i in $(seq "$COUNT"); do
  printf 'url = "%s/bench/curl/obj-%06d"\nupload-file = "%s"\n' "$S3_ENDPOINT" "$i" "$WORK/small.bin"
done >"$WORK/curl-small.cfg"

echo "== small PUTs: $COUNT objects of 1 KiB, $RUNS runs"
ours=(); theirs=()
for run in $(seq "$RUNS"); do
  o=$(build/s3_put_bench small "s3://bench/run$run" "$COUNT" 1024)
  t0=$(date +%s.%N)
  curl -sf "${SIG[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -K "$WORK/curl-small.cfg" >/dev/null
  c=$(echo "$COUNT / ($(date +%s.%N) - $t0)" | bc -l)
  printf "   run %d: ticklake %6.0f objects/s | curl %6.0f objects/s | ratio %s\n" "$run" "$o" "$c" "$(ratio "$o" "$c")"
  ours+=("$o"); theirs+=("$c")
done
mo=$(printf '%s\n' "${ours[@]}" | median); mc=$(printf '%s\n' "${theirs[@]}" | median)
printf "   median: ticklake %.0f objects/s, curl %.0f objects/s, ratio %s\n" "$mo" "$mc" "$(ratio "$mo" "$mc")"

echo "== one ${SIZE_MB} MiB object, $RUNS runs (MB/s)"
put_o=(); put_c=(); put_a=(); get_o=(); get_c=(); get_a=()
mb=$(echo "$SIZE_MB * 1048576 / 1000000" | bc -l)
for run in $(seq "$RUNS"); do
  po=$(build/s3_put_bench put "s3://bench/large-$run" "$WORK/large.bin")
  go=$(build/s3_put_bench get "s3://bench/large-$run" "$WORK/large.out")
  cmp -s "$WORK/large.bin" "$WORK/large.out" || { echo "GET returned different bytes" >&2; exit 1; }
  pc=$(echo "$mb / $(seconds curl -sf "${SIG[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$WORK/large.bin" "$S3_ENDPOINT/bench/curl-large-$run")" | bc -l)
  gc=$(echo "$mb / $(seconds curl -sf "${SIG[@]}" -H "x-amz-content-sha256: $EMPTY_SHA" -o "$WORK/curl.out" "$S3_ENDPOINT/bench/large-$run")" | bc -l)
  pa=$(echo "$mb / $(seconds "$AWS" --endpoint-url "$S3_ENDPOINT" s3 cp --only-show-errors "$WORK/large.bin" "s3://bench/aws-large-$run")" | bc -l)
  ga=$(echo "$mb / $(seconds "$AWS" --endpoint-url "$S3_ENDPOINT" s3 cp --only-show-errors "s3://bench/large-$run" "$WORK/aws.out")" | bc -l)
  printf "   run %d: PUT ticklake %5.0f | curl %5.0f | awscli %5.0f    GET ticklake %5.0f | curl %5.0f | awscli %5.0f\n" \
    "$run" "$po" "$pc" "$pa" "$go" "$gc" "$ga"
  put_o+=("$po"); put_c+=("$pc"); put_a+=("$pa"); get_o+=("$go"); get_c+=("$gc"); get_a+=("$ga")
done
m() { printf '%s\n' "$@" | median; }
printf "   median PUT: ticklake %.0f MB/s, curl %.0f, awscli %.0f -> ratio %s vs curl, %s vs awscli\n" \
  "$(m "${put_o[@]}")" "$(m "${put_c[@]}")" "$(m "${put_a[@]}")" "$(ratio "$(m "${put_o[@]}")" "$(m "${put_c[@]}")")" "$(ratio "$(m "${put_o[@]}")" "$(m "${put_a[@]}")")"
printf "   median GET: ticklake %.0f MB/s, curl %.0f, awscli %.0f -> ratio %s vs curl, %s vs awscli\n" \
  "$(m "${get_o[@]}")" "$(m "${get_c[@]}")" "$(m "${get_a[@]}")" "$(ratio "$(m "${get_o[@]}")" "$(m "${get_c[@]}")")" "$(ratio "$(m "${get_o[@]}")" "$(m "${get_a[@]}")")"
