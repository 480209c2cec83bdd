package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/standardstream/standardstream/lambda/kinesisbatch/schema"
	"github.com/standardstream/standardstream/ops"
)

func init() { register(newTailCmd) }

func newTailCmd() *cobra.Command {
	var (
		stream, from, schemaFile string
		limit                    int
	)
	cmd := &cobra.Command{
		Use:   "tail --stream STREAM [--from latest|trim-horizon|TIME] [--limit N] [--schema FILE]",
		Short: "Print a stream's records as JSON lines",
		Long: `tail prints the records of every shard of a stream as JSON lines, with
partitionKey, sequenceNumber, shardId, approximateArrivalTimestamp and data (the
record itself when it is JSON; otherwise its base64 encoding, with
"encoding":"base64"). It follows the shards that resharding creates. With
--schema, records that fail the stream's JSON Schema get "schemaError".

It runs until interrupted, or until --limit records are printed.`,
		Example: `  standardstream tail --stream orders-prod
  standardstream tail --stream orders-prod --from trim-horizon --limit 10 --schema schemas/orders.schema.json
  standardstream tail --stream orders-prod --from 2026-11-30T08:00:00Z | jq .data`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stream == "" {
				return usagef("--stream: required")
			}
			start, err := ops.ParseTailFrom(from)
			if err != nil {
				return opsError(err)
			}
			if limit < 0 {
				return usagef("--limit: must be 0 (no limit) or more: %d", limit)
			}
			t := &ops.Tailer{Stream: stream, From: start, Limit: limit, Out: cmd.OutOrStdout()}
			if schemaFile != "" {
				b, err := os.ReadFile(schemaFile)
				if err != nil {
					return usagef("--schema: %v", err)
				}
				s, err := schema.Compile(b)
				if err != nil {
					return usagef("--schema: %q: %v", schemaFile, err)
				}
				t.Validate = s.Validate
			}
			clients, err := ops.LoadClients(cmd.Context())
			if err != nil {
				return err
			}
			t.Kinesis = clients.Kinesis
			n, err := t.Run(cmd.Context())
			if err != nil {
				return opsError(err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "tail: records %d\n", n)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&stream, "stream", "", "name or ARN of the stream")
	f.StringVar(&from, "from", "latest", "where to start: latest, trim-horizon or an RFC 3339 time")
	f.IntVar(&limit, "limit", 0, "stop after N records (0: until interrupted)")
	f.StringVar(&schemaFile, "schema", "", "JSON Schema file of the stream's records; failing records are marked")
	return cmd
}
