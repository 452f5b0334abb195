{{/* Names, labels and the pieces every template shares. */}}

{{- define "spillway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every object's name; short enough to leave room for "-emulator-NAME". */}}
{{- define "spillway.fullname" -}}
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

{{- define "spillway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The recommended labels; call with (dict "ctx" $ "component" "gateway"). */}}
{{- define "spillway.labels" -}}
helm.sh/chart: {{ include "spillway.chart" .ctx }}
{{ include "spillway.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: spillway
{{- end -}}

{{/* Selector labels: only what never changes for an object's lifetime. */}}
{{- define "spillway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spillway.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "spillway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "spillway.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "spillway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Where the image keeps things (helm/image/Dockerfile; a test checks the two agree). */}}
{{- define "spillway.libDir" -}}/opt/spillway/lib{{- end -}}
{{- define "spillway.configDir" -}}/etc/spillway{{- end -}}
{{- define "spillway.dataDir" -}}/var/lib/spillway{{- end -}}
{{- define "spillway.jar" -}}{{ include "spillway.libDir" . }}/spillway-{{ . }}.jar{{- end -}}

{{- define "spillway.gatewayName" -}}{{ include "spillway.fullname" . }}-gateway{{- end -}}
{{- define "spillway.redisName" -}}{{ include "spillway.fullname" . }}-redis{{- end -}}
{{/* call with (dict "ctx" $ "name" "trainium") */}}
{{- define "spillway.emulatorName" -}}{{ include "spillway.fullname" .ctx }}-emulator-{{ .name }}{{- end -}}

{{/* The Redis URL the gateway uses, or nothing. */}}
{{- define "spillway.redisUrl" -}}
{{- if .Values.redis.url -}}
{{- .Values.redis.url -}}
{{- else if .Values.redis.enabled -}}
{{- printf "redis://%s.%s.svc.%s:6379" (include "spillway.redisName" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}
{{- end -}}

{{/* Whether more than one gateway pod may run at once. */}}
{{- define "spillway.gatewayScalesOut" -}}
{{- if or .Values.gateway.autoscaling.enabled (gt (int .Values.gateway.replicaCount) 1) -}}true{{- end -}}
{{- end -}}

{{/*
The gateway's config file (docs/configuration.md): the listener, one model per emulated model with an
upstream pool per emulator at its Service's DNS name, the user's models, tenants and defaults, the
shared store, and the ledger on the pod's data volume.
*/}}
{{- define "spillway.gatewayConfig" -}}
{{- $ctx := . -}}
{{- $byModel := dict -}}
{{- range $name, $e := .Values.emulators -}}
{{- if $e.enabled -}}
{{- $url := printf "http://%s.%s.svc.%s:%d/v1" (include "spillway.emulatorName" (dict "ctx" $ctx "name" $name)) $ctx.Release.Namespace $ctx.Values.clusterDomain (int $ctx.Values.emulatorDefaults.port) -}}
{{- $pool := dict "kind" "upstream" "name" $name "url" $url "replicas" (mul (int (default 1 $e.replicaCount)) (int (default 1 $e.replicas))) "maxConcurrency" (int $ctx.Values.emulatorDefaults.maxConcurrency) -}}
{{- $_ := set $byModel $e.model (append (get $byModel $e.model | default (list)) $pool) -}}
{{- end -}}
{{- end -}}
{{- $models := list -}}
{{- range $model, $pools := $byModel -}}
{{- $models = append $models (dict "name" $model "pools" $pools) -}}
{{- end -}}
{{- $models = concat $models .Values.gateway.models -}}
{{- $server := dict "host" "0.0.0.0" "port" (int .Values.gateway.port) "drainTimeout" (printf "%ds" (int .Values.gateway.drainTimeoutSeconds)) -}}
{{- $config := dict "server" $server "models" $models -}}
{{- with .Values.gateway.defaults }}{{ $_ := set $config "defaults" . }}{{ end -}}
{{- with .Values.gateway.tenants }}{{ $_ := set $config "tenants" . }}{{ end -}}
{{- with .Values.gateway.admin }}{{ $_ := set $config "admin" . }}{{ end -}}
{{- $redis := include "spillway.redisUrl" . -}}
{{- if $redis -}}
{{- $_ := set $config "cluster" (dict "redis" $redis "onRedisFailure" .Values.redis.onFailure) -}}
{{- end -}}
{{- $_ := set $config "ledger" (dict "enabled" .Values.gateway.ledger.enabled "path" (printf "%s/ledger" (include "spillway.dataDir" .))) -}}
{{- toYaml $config -}}
{{- end -}}
