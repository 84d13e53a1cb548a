#!/usr/bin/env bash
# S3 (versitygw): create a bucket, put and list an object with SigV4-signed requests (curl's
# --aws-sigv4), and see a request signed with the wrong secret rejected.
source "$(dirname "$0")/lib.sh"
ep="$(envof s3 ENDPOINT)"; key="$(envof s3 ACCESS_KEY)"; secret="$(envof s3 SECRET_KEY)"
region="$(envof s3 REGION)"; bucket="smoke-$$"
sig=(--aws-sigv4 "aws:amz:$region:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
code="$(curl -sS -o /dev/null -w '%{http_code}' "${sig[@]}" --user "$key:$secret" -X PUT "$ep/$bucket")"
expect_eq "create bucket" 200 "$code"
echo "pulse smoke object" >"${TMPDIR:-/tmp}/s3-smoke-$$"
code="$(curl -sS -o /dev/null -w '%{http_code}' "${sig[@]}" --user "$key:$secret" -T "${TMPDIR:-/tmp}/s3-smoke-$$" "$ep/$bucket/hello.txt")"
rm -f "${TMPDIR:-/tmp}/s3-smoke-$$"
expect_eq "put object" 200 "$code"
listing="$(curl -fsS "${sig[@]}" --user "$key:$secret" "$ep/$bucket?list-type=2")"
expect_match "listing has the object" '<Key>hello.txt</Key>' "$listing"
expect_match "listing has its size" '<Size>19</Size>' "$listing"
bad="$(curl -sS -w '\n%{http_code}' "${sig[@]}" --user "$key:wrong-secret" "$ep/$bucket?list-type=2")"
expect_eq "wrong secret is rejected" 403 "$(tail -n1 <<<"$bad")"
expect_match "rejection reason" 'SignatureDoesNotMatch' "$bad"
