package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/standardstream/standardstream/ops"
)

func init() { register(newReplayCmd) }

func newReplayCmd() *cobra.Command {
	var (
		stream, from, since, until, key string
		dryRun                          bool
	)
	cmd := &cobra.Command{
		Use:   "replay --stream STREAM --from s3://ARCHIVE_BUCKET[/PREFIX] --since TIME --until TIME --key JSON_POINTER [--dry-run]",
		Short: "Put a window of hours of the stream's archive back on a stream",
		Long: `replay reads the Firehose archive the construct writes (GZIP JSON lines under
data/year=YYYY/month=MM/day=DD/hour=HH/), only the hour partitions that overlap
[--since, --until) (RFC 3339), in order, and puts each line back on --stream byte
for byte, with the partition key taken from the record at --key, a JSON pointer
(the archive keeps data, not keys). --stream may be another stream than the one
archived, such as a backfill stream. s3://BUCKET alone means the data/ prefix.

Records without the key are listed on stdout and counted as failed; the last
line is the summary:

  replay: objects O, records R, put P, failed F

Replay is not idempotent: running it twice puts the window twice.`,
		Example: `  standardstream replay --stream orders-prod --from s3://orders-prod-archive \
      --since 2026-11-30T08:00:00Z --until 2026-11-30T10:00:00Z --key /customerId --dry-run`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stream == "" {
				return usagef("--stream: required")
			}
			loc, err := ops.ParseS3URL("--from", from)
			if err != nil {
				return opsError(err)
			}
			s, err := time.Parse(time.RFC3339, since)
			if err != nil {
				return usagef("--since: want an RFC 3339 time such as 2026-11-30T08:00:00Z: %q", since)
			}
			u, err := time.Parse(time.RFC3339, until)
			if err != nil {
				return usagef("--until: want an RFC 3339 time such as 2026-11-30T10:00:00Z: %q", until)
			}
			if err := ops.CheckWindow(s, u); err != nil {
				return opsError(err)
			}
			ptr, err := ops.ParsePointer("--key", key)
			if err != nil {
				return opsError(err)
			}
			clients, err := ops.LoadClients(cmd.Context())
			if err != nil {
				return err
			}
			r := &ops.Replayer{
				Kinesis:  clients.Kinesis,
				S3:       clients.S3,
				Stream:   stream,
				Since:    s,
				Until:    u,
				Key:      ptr,
				DryRun:   dryRun,
				Out:      cmd.OutOrStdout(),
				Progress: progressWriter(cmd),
			}
			sum, err := r.Run(cmd.Context(), loc)
			if isInputError(err) {
				return opsError(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), sum.ReplayLine())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&stream, "stream", "", "name or ARN of the stream to put the records on")
	f.StringVar(&from, "from", "", "the archive: s3://ARCHIVE_BUCKET[/PREFIX]")
	f.StringVar(&since, "since", "", "start of the window, RFC 3339, inclusive")
	f.StringVar(&until, "until", "", "end of the window, RFC 3339, exclusive")
	f.StringVar(&key, "key", "", "JSON pointer to the partition key in each record, such as /customerId")
	f.BoolVar(&dryRun, "dry-run", false, "report what would be put and change nothing")
	return cmd
}
