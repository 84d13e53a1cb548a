// Upstream Alertmanager's compiled web UI, for Debian's prometheus-alertmanager (which lacks it).
// Keep the version equal to Debian's binary (`prometheus-alertmanager --version`); scripts/build-tools.sh checks.
module pulse.dev/tools/alertmanager-ui

go 1.26

require github.com/prometheus/alertmanager v0.25.0

require (
	github.com/shurcooL/httpfs v0.0.0-20190707220628-8d4bc4ba7749 // indirect
	github.com/shurcooL/vfsgen v0.0.0-20200824052919-0d455de96546 // indirect
)
