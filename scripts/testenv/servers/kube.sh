# A real Kubernetes control plane: etcd + kube-apiserver + kube-controller-manager (garbage
# collector and namespace controllers), built from Go modules by scripts/build-tools.sh.
# TLS everywhere with a throwaway CA; an admin client certificate (group system:masters).
# No kubelet: pods never run. env: KUBECONFIG SERVER API_PORT ETCD_URL CA_FILE CLIENT_CERT
#   CLIENT_KEY SA_KEY SA_PUB CERT_DIR
kube_certs() {
  local c="$1"
  mkdir -p "$c"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pulse-test-ca" \
    -keyout "$c/ca.key" -out "$c/ca.crt" 2>/dev/null
  _kube_leaf "$c" apiserver "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
extendedKeyUsage=serverAuth"
  _kube_leaf "$c" admin "/O=system:masters/CN=pulse-admin" "extendedKeyUsage=clientAuth"
  # system:masters: without per-controller service-account credentials, the GC needs broad rights.
  _kube_leaf "$c" kcm "/O=system:masters/CN=system:kube-controller-manager" "extendedKeyUsage=clientAuth"
  openssl genrsa -out "$c/sa.key" 2048 2>/dev/null
  openssl rsa -in "$c/sa.key" -pubout -out "$c/sa.pub" 2>/dev/null
}
_kube_leaf() { # DIR NAME SUBJECT EXTENSIONS
  local c="$1" n="$2"
  printf '%s\n' "$4" >"$c/$n.ext"
  openssl req -newkey rsa:2048 -nodes -subj "$3" -keyout "$c/$n.key" -out "$c/$n.csr" 2>/dev/null
  openssl x509 -req -in "$c/$n.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial -days 2 \
    -extfile "$c/$n.ext" -out "$c/$n.crt" 2>/dev/null
}
_kube_kubeconfig() { # FILE SERVER CA CERT KEY USER
  cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: pulse-test
  cluster:
    server: $2
    certificate-authority: $3
users:
- name: $6
  user:
    client-certificate: $4
    client-key: $5
contexts:
- name: pulse-test
  context: {cluster: pulse-test, user: $6, namespace: default}
current-context: pulse-test
YAML
}

_kube_start_apiserver() {
  local dir="$1"
  # The argument list is saved so a test can restart the apiserver on the same etcd.
  spawn "$dir" kube-apiserver "$(tools_bin)/kube-apiserver" $(cat "$dir/apiserver.args")
  wait_for 120 "kube-apiserver /readyz" http_ok --cacert "$dir/certs/ca.crt" \
    --cert "$dir/certs/admin.crt" --key "$dir/certs/admin.key" "$(cat "$dir/server_url")/readyz"
}

server_start() {
  local dir="$1" bin etcd_port peer_port api_port kcm_port
  bin="$(tools_bin)"
  for b in etcd kube-apiserver kube-controller-manager; do
    [[ -x "$bin/$b" ]] || die "$b not built (run scripts/build-tools.sh)"
  done
  etcd_port="$(free_port)"; peer_port="$(free_port)"; api_port="$(free_port)"; kcm_port="$(free_port)"
  local c="$dir/certs" server="https://127.0.0.1:$api_port" etcd="http://127.0.0.1:$etcd_port"
  kube_certs "$c"

  spawn "$dir" etcd "$bin/etcd" --name pulse-test --data-dir "$dir/etcd" \
    --listen-client-urls "$etcd" --advertise-client-urls "$etcd" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "pulse-test=http://127.0.0.1:$peer_port" --unsafe-no-fsync --log-level warn
  wait_for 60 "etcd on $etcd_port" http_ok "$etcd/health"

  cat >"$dir/apiserver.args" <<ARGS
--etcd-servers=$etcd
--cert-dir=$dir/apiserver-certs
--tls-cert-file=$c/apiserver.crt
--tls-private-key-file=$c/apiserver.key
--client-ca-file=$c/ca.crt
--secure-port=$api_port
--bind-address=127.0.0.1
--advertise-address=127.0.0.1
--service-cluster-ip-range=10.96.0.0/16
--service-account-issuer=https://kubernetes.default.svc.cluster.local
--service-account-key-file=$c/sa.pub
--service-account-signing-key-file=$c/sa.key
--authorization-mode=RBAC
--allow-privileged=true
--v=1
ARGS
  echo "$server" >"$dir/server_url"
  _kube_start_apiserver "$dir"

  _kube_kubeconfig "$dir/kubeconfig" "$server" "$c/ca.crt" "$c/admin.crt" "$c/admin.key" pulse-admin
  _kube_kubeconfig "$dir/kcm.kubeconfig" "$server" "$c/ca.crt" "$c/kcm.crt" "$c/kcm.key" kube-controller-manager
  spawn "$dir" kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$dir/kcm.kubeconfig" \
    --authentication-kubeconfig "$dir/kcm.kubeconfig" --authorization-kubeconfig "$dir/kcm.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$kcm_port" \
    --controllers=garbage-collector-controller,namespace-controller,serviceaccount-controller \
    --cert-dir "$dir/kcm-certs" --v=1
  wait_for 60 "kube-controller-manager /healthz" http_ok -k "https://127.0.0.1:$kcm_port/healthz"
  write_env "$dir" KUBECONFIG="$dir/kubeconfig" SERVER="$server" API_PORT="$api_port" ETCD_URL="$etcd" \
    CA_FILE="$c/ca.crt" CLIENT_CERT="$c/admin.crt" CLIENT_KEY="$c/admin.key" SA_KEY="$c/sa.key" \
    SA_PUB="$c/sa.pub" CERT_DIR="$c" BIN_DIR="$bin"
}

# Kills kube-apiserver and starts it again with the same arguments on the same etcd; the
# other components stay up. Used by client tests that must survive an apiserver restart.
kube_restart_apiserver() {
  local dir="$1"
  [[ -f "$dir/apiserver.args" ]] || die "kube is not running in $dir"
  stop_pid "$dir" kube-apiserver
  _kube_start_apiserver "$dir"
  log "kube-apiserver restarted"
}
