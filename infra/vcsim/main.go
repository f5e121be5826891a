// Command vcsim runs govmomi's vCenter simulator (vim25 SOAP at /sdk) for Lifeboat's tests.
//
// It is a small launcher for the simulator package of Debian's golang-github-vmware-govmomi-dev
// (0.24.2), which ships the library but no vcsim command. Build it with build.sh (GOPATH mode).
//
// On start it prints exactly one line to stdout, VCSIM_URL=https://127.0.0.1:PORT/sdk, with the
// port really bound and without credentials. It stops on SIGINT or SIGTERM and, with
// -exit-with-stdin, when its stdin reaches EOF (so it dies with the process that started it).
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	os.Exit(run())
}

// run returns the exit code, so the deferred clean-up (the server, the model's temp dirs) runs first.
func run() int {
	listen := flag.String("l", "127.0.0.1:0", "listen address host:port (port 0 picks a free port)")
	vms := flag.Int("vm", 2, "VMs per resource pool: the standalone host DC0_H0 and the cluster DC0_C0 get N each")
	useTLS := flag.Bool("tls", true, "serve https with Go's self-signed test certificate (false: plain http)")
	username := flag.String("username", "", "only this user may log in (default: any non-empty user and password)")
	password := flag.String("password", "", "the password for -username")
	exitWithStdin := flag.Bool("exit-with-stdin", false, "also exit when stdin reaches EOF")
	flag.Parse()

	if flag.NArg() > 0 {
		return fail("unexpected arguments: %v", flag.Args())
	}
	if (*username == "") != (*password == "") {
		return fail("-username and -password go together")
	}
	if *vms < 0 {
		return fail("-vm must not be negative")
	}

	// Registered before anything is created, so an early signal still cleans up.
	stop := make(chan string, 2)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() { stop <- (<-signals).String() }()

	model := simulator.VPX()
	model.Machine = *vms
	defer model.Remove() // the datastores' temp dirs
	if err := model.Create(); err != nil {
		return fail("cannot create the inventory: %v", err)
	}

	// With Listen.User unset the simulator's SessionManager accepts any non-empty user and
	// password; with it set, only that exact pair (simulator/session_manager.go, validLogin).
	model.Service.Listen = &url.URL{Host: *listen}
	if *username != "" {
		model.Service.Listen.User = url.UserPassword(*username, *password)
	}
	if *useTLS {
		model.Service.TLS = new(tls.Config) // NewServer fills in Go's self-signed test certificate
	}

	server, err := newServer(model.Service)
	if err != nil {
		return fail("cannot listen on %s: %v", *listen, err)
	}
	defer server.Close()

	sdk := *server.URL // the really bound address; it carries the login, which we do not print
	sdk.User = nil
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "VCSIM_URL=%s\n", sdk.String())
	if err := out.Flush(); err != nil {
		return fail("cannot write to stdout: %v", err)
	}

	if *exitWithStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop <- "stdin closed"
		}()
	}
	fmt.Fprintf(os.Stderr, "vcsim: stopping (%s)\n", <-stop)
	return 0
}

// newServer starts the server; the simulator panics when it cannot listen, which we turn into an error.
func newServer(service *simulator.Service) (server *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return service.NewServer(), nil
}

func fail(format string, args ...interface{}) int {
	fmt.Fprintf(os.Stderr, "vcsim: "+format+"\n", args...)
	return 2
}
