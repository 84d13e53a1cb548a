// Command kube-controller-manager is the upstream controller manager (garbage collector,
// namespace controller, ...), built from Go modules for pulse's tests.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
