package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/openapi"
)

func (a *app) mockCommand() *cobra.Command {
	var port int
	var host string
	cmd := &cobra.Command{
		Use:   "mock OPENAPI...",
		Short: "Serve a mock of OpenAPI descriptions over HTTP",
		Long: `Serve every operation of the given OpenAPI descriptions: each answers with the
response example of the description, or a value made up from its schema. Path
parameters are echoed where the response has a property of the same name.`,
		Example: `  arazzo mock workflows/workato/openapi/workato-mcp-server-openapi.yml --port 8080`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var docs []*openapi.Document
			for _, p := range args {
				d, err := openapi.Load(cmd.Context(), absLocation(p), nil)
				if err != nil {
					return &exitError{code: ExitInvalid, err: err}
				}
				docs = append(docs, d)
			}
			ln, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
			if err != nil {
				return usageErr("%v", err)
			}
			srv := &http.Server{Handler: openapi.NewMock(docs...), ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(a.stdout, "mock serving %d description(s) on http://%s (Ctrl-C stops)\n", len(docs), ln.Addr())
			go func() {
				<-cmd.Context().Done()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(ctx)
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return &exitError{code: ExitIncomplete, err: err}
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&port, "port", "p", 8080, "port to listen on (0: any free port)")
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "address to listen on")
	return cmd
}
