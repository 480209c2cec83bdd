package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/standardstream/standardstream/ops"
)

func init() { register(newRedriveCmd) }

func newRedriveCmd() *cobra.Command {
	var (
		stream, from, queue string
		dryRun              bool
	)
	cmd := &cobra.Command{
		Use:   "redrive --stream STREAM (--from s3://BUCKET[/PREFIX] | --from-queue QUEUE_URL) [--dry-run]",
		Short: "Put the records the consumer gave up on back on the stream",
		Long: `redrive puts the records that the consumer's event-source mapping gave up on
back on a stream, with their partition keys and data byte for byte, in order per
key, oldest first.

With --from it reads the objects Lambda's S3 on-failure destination wrote
(s3://BUCKET alone finds Lambda's aws/lambda/ keys) and records in the bucket,
under standardstream-redrive/, which objects it has redriven: a re-run, or a run
resumed after an interruption, puts no record twice. With --from-queue it reads
the invocation records of an SQS on-failure destination, fetches each one's
sequence range from the stream and deletes the message once its records are
put; records past the stream's retention are reported by range.

Records that could not be put are listed on stdout with their object; the last
line is the summary:

  redrive: objects O, records R, put P, failed F, skipped S

The exit status is 1 when any record could not be put.`,
		Example: `  standardstream redrive --stream orders-prod --from s3://orders-prod-failures --dry-run
  standardstream redrive --stream orders-prod --from s3://orders-prod-failures
  standardstream redrive --stream orders-prod --from-queue https://sqs.eu-west-1.amazonaws.com/123456789012/orders-failures`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stream == "" {
				return usagef("--stream: required")
			}
			if (from == "") == (queue == "") {
				return usagef("give one of --from s3://BUCKET[/PREFIX] and --from-queue QUEUE_URL (got --from %q, --from-queue %q)", from, queue)
			}
			var loc ops.S3Location
			if from != "" {
				var err error
				if loc, err = ops.ParseS3URL("--from", from); err != nil {
					return opsError(err)
				}
			}
			clients, err := ops.LoadClients(cmd.Context())
			if err != nil {
				return err
			}
			r := &ops.Redriver{
				Kinesis:  clients.Kinesis,
				S3:       clients.S3,
				SQS:      clients.SQS,
				Stream:   stream,
				DryRun:   dryRun,
				Out:      cmd.OutOrStdout(),
				Progress: progressWriter(cmd),
			}
			var sum ops.Summary
			if from != "" {
				sum, err = r.FromS3(cmd.Context(), loc)
			} else {
				sum, err = r.FromQueue(cmd.Context(), queue)
			}
			if isInputError(err) {
				return opsError(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), sum.RedriveLine())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&stream, "stream", "", "name or ARN of the stream to put the records on")
	f.StringVar(&from, "from", "", "the S3 failure destination: s3://BUCKET[/PREFIX]")
	f.StringVar(&queue, "from-queue", "", "the SQS failure destination's queue URL")
	f.BoolVar(&dryRun, "dry-run", false, "report what would be put and change nothing")
	return cmd
}
