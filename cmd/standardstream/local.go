package main

import (
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/standardstream/standardstream/localrun"
)

func init() { register(newLocalCmd) }

func newLocalCmd() *cobra.Command {
	opts := localrun.AppOptions{}
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run the app's consumers against a local Kinesis API for a few seconds",
		Long: `local synthesizes the CDK app in --dir, builds the consumer of each
StandardStream of one stack (default: the first, dev) for this machine as its
Lambda binary, starts kinesis-local on 127.0.0.1 (from the app's
node_modules: make deps), and runs every stream at once: it produces the
examples of the stream's schema into a fresh local stream of its own, about
one in --poison-every of them poison, while a local event-source mapping
invokes the stream's consumer with the stream's settings and Lambda's rules.
It prints progress every second and a summary per stream, each line
starting with "local <stream ID>:", stops kinesis-local, and exits 1 if a
record was neither handled nor sent to the failure destination.`,
		Example: `  standardstream local
  standardstream local --stream orders --duration 10s --rate 500`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case opts.Duration <= 0:
				return usagef("--duration must be positive, got %v", opts.Duration)
			case opts.Rate < 1:
				return usagef("--rate must be at least 1, got %d", opts.Rate)
			case opts.Keys < 1:
				return usagef("--keys must be at least 1, got %d", opts.Keys)
			case opts.Shards < 1 || opts.Shards > 64:
				return usagef("--shards must be between 1 and 64, got %d", opts.Shards)
			case opts.PoisonEvery < 0:
				return usagef("--poison-every must not be negative, got %d", opts.PoisonEvery)
			}
			if fi, err := os.Stat(opts.Dir); err != nil || !fi.IsDir() {
				return usagef("--dir: %q is not a directory", opts.Dir)
			}
			opts.Out, opts.Log = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return localrun.RunApp(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Dir, "dir", ".", "root of the CDK app (the directory holding cdk.json)")
	f.StringVar(&opts.Stack, "stack", "", "stack whose streams run (default: the first with a StandardStream)")
	f.StringSliceVar(&opts.Streams, "stream", nil, "streams to run, by name or construct ID (default: all); repeatable")
	f.DurationVar(&opts.Duration, "duration", 5*time.Second, "how long to produce (every stream at the same time)")
	f.IntVar(&opts.Rate, "rate", 2000, "records per second to offer the producer")
	f.IntVar(&opts.Keys, "keys", 200, "partition keys")
	f.IntVar(&opts.Shards, "shards", 8, "shards of each local stream")
	f.IntVar(&opts.PoisonEvery, "poison-every", 1000, "every nth record is poison (not JSON); 0 for none")
	return cmd
}
