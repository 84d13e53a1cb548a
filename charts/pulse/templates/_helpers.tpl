{{/* Object name prefix: <release>-<chart>, or the release name when it already contains it. */}}
{{- define "pulse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "pulse.operatorName" -}}{{ include "pulse.fullname" . }}-operator{{- end -}}
{{- define "pulse.configSyncName" -}}{{ include "pulse.fullname" . }}-config-sync{{- end -}}
{{- define "pulse.prometheusName" -}}{{ include "pulse.fullname" . }}-prometheus{{- end -}}
{{- define "pulse.alertmanagerName" -}}{{ include "pulse.fullname" . }}-alertmanager{{- end -}}
{{- define "pulse.grafanaName" -}}{{ include "pulse.fullname" . }}-grafana{{- end -}}
{{- define "pulse.nodeExporterName" -}}{{ include "pulse.fullname" . }}-node-exporter{{- end -}}
{{/* The config Secret the operator writes and the sidecar reads. */}}
{{- define "pulse.configSecret" -}}{{ include "pulse.fullname" . }}-prometheus-config{{- end -}}
{{/* Copies of the Secret keys scrape jobs reference; written by the operator, read by config-sync. */}}
{{- define "pulse.credentialsSecret" -}}{{ include "pulse.fullname" . }}-scrape-credentials{{- end -}}
{{- define "pulse.rulesConfigMap" -}}{{ include "pulse.fullname" . }}-rules{{- end -}}
{{- define "pulse.dashboardPrefix" -}}{{ include "pulse.fullname" . }}-dashboard{{- end -}}

{{/* Labels of every object; "component" is passed as (dict "root" $ "component" "x"). */}}
{{- define "pulse.labels" -}}
app.kubernetes.io/name: {{ include "pulse.fullname" .root }}-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: pulse
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels: stable across upgrades (no version). */}}
{{- define "pulse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pulse.fullname" .root }}-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* "repository:tag" with the tag defaulting to the appVersion. Args: (list $ .Values.x.image). */}}
{{- define "pulse.image" -}}
{{- $root := index . 0 -}}{{- $img := index . 1 -}}
{{- printf "%s:%s" $img.repository (default $root.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{/* The hardening every pod and container of the chart gets. */}}
{{- define "pulse.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}
{{- define "pulse.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "pulse.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
An object of one of the RBAC files in files/, with only names and namespaces rewritten for this
release (the rules stay byte-for-byte what the file says; tests/chart compares them).
Args: dict "root" $ "obj" <parsed object> "names" <map file name -> release name> "component" x.
*/}}
{{- define "pulse.rbacObject" -}}
{{- $root := .root -}}{{- $names := .names -}}
{{- $obj := deepCopy .obj -}}
{{- $meta := $obj.metadata -}}
{{- $_ := set $meta "name" (get $names $meta.name | default $meta.name) -}}
{{- if hasKey $meta "namespace" }}{{ $_ := set $meta "namespace" $root.Release.Namespace }}{{ end -}}
{{- $_ := set $meta "labels" (merge (fromYaml (include "pulse.labels" (dict "root" $root "component" .component))) (default dict $meta.labels)) -}}
{{- if hasKey $obj "roleRef" -}}
{{- $_ := set $obj.roleRef "name" (get $names $obj.roleRef.name | default $obj.roleRef.name) -}}
{{- end -}}
{{- range $obj.subjects -}}
{{- $_ := set . "name" (get $names .name | default .name) -}}
{{- $_ := set . "namespace" $root.Release.Namespace -}}
{{- end -}}
{{- toYaml $obj -}}
{{- end -}}

{{/* The objects of an RBAC file in files/, as a list under key "items". */}}
{{- define "pulse.rbacFile" -}}
{{- $items := list -}}
{{- range $doc := regexSplit "(?m)^---[ \\t]*$" (.root.Files.Get .file) -1 -}}
{{- $obj := fromYaml $doc -}}
{{- if $obj.kind }}{{ $items = append $items $obj }}{{ end -}}
{{- end -}}
{{- toYaml (dict "items" $items) -}}
{{- end -}}
