# S3 server that verifies SigV4 signatures (versitygw, built by scripts/build-tools.sh).
# env: ENDPOINT HOST PORT ACCESS_KEY SECRET_KEY REGION
server_start() {
  local dir="$1" port gw; port="$(free_port)"
  gw="$(tools_bin)/versitygw"
  [[ -x "$gw" ]] || die "versitygw not built (run scripts/build-tools.sh)"
  mkdir -p "$dir/data" "$dir/meta"
  local access=pulse-test-access secret=pulse-test-secret-0123456789
  ROOT_ACCESS_KEY="$access" ROOT_SECRET_KEY="$secret" \
    spawn "$dir" s3 "$gw" --port "127.0.0.1:$port" --region us-east-1 posix --sidecar "$dir/meta" "$dir/data"
  # Any HTTP answer (403 for an unsigned request) means it is serving.
  wait_for 30 "s3 on $port" bash -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/ | grep -q '^[1-5]'"
  write_env "$dir" ENDPOINT="http://127.0.0.1:$port" HOST=127.0.0.1 PORT="$port" \
    ACCESS_KEY="$access" SECRET_KEY="$secret" REGION=us-east-1
}
