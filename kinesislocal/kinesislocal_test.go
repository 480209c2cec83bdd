package kinesislocal_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/standardstream/standardstream/kinesislocal"
)

// TestServer starts one server for all subtests, and stops it in the last:
// starting node is the slow part.
func TestServer(t *testing.T) {
	// A fresh compile cache, to see the server write it while it runs: Stop
	// kills it, so Node's own write at exit never comes.
	cache := t.TempDir()
	t.Setenv("NODE_COMPILE_CACHE", cache)
	s := kinesislocal.StartT(t)

	t.Run("writes its compile cache while running", func(t *testing.T) {
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var size int64
			filepath.WalkDir(cache, func(_ string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					if info, err := d.Info(); err == nil {
						size += info.Size()
					}
				}
				return nil
			})
			// main.js's cache is megabytes; the shim's alone is a few KiB.
			if size > 1<<20 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("compile cache %s holds %d bytes after 5 s, want main.js's", cache, size)
			}
		}
	})

	t.Run("listens on loopback only", func(t *testing.T) {
		addrs, err := listeners(s.PID)
		if err != nil {
			t.Skipf("cannot read the server's sockets: %v", err)
		}
		if len(addrs) == 0 {
			t.Fatal("server has no listening sockets")
		}
		for _, a := range addrs {
			if !strings.HasPrefix(a, "127.0.0.1:") {
				t.Errorf("server listens on %s, want 127.0.0.1 only", a)
			}
		}
		if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") {
			t.Errorf("got endpoint %s, want http://127.0.0.1:<port>", s.Endpoint)
		}
	})

	t.Run("round trip", func(t *testing.T) {
		ctx := context.Background()
		name := kinesislocal.StreamName("roundtrip")
		arn, err := s.CreateStream(ctx, name, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(arn, ":stream/"+name) {
			t.Errorf("got ARN %s, want one ending in :stream/%s", arn, name)
		}
		entries := make([]types.PutRecordsRequestEntry, 100)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{
				PartitionKey: aws.String(fmt.Sprintf("key-%d", i%10)),
				Data:         []byte(strconv.Itoa(i)),
			}
		}
		out, err := s.Client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		if n := aws.ToInt32(out.FailedRecordCount); n != 0 {
			t.Fatalf("got %d failed records, want 0", n)
		}
		shards, err := s.Client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, sh := range shards.Shards {
			it, err := s.Client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
				StreamName: aws.String(name), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
			})
			if err != nil {
				t.Fatal(err)
			}
			recs, err := s.Client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			if err != nil {
				t.Fatal(err)
			}
			got += len(recs.Records)
		}
		if got != len(entries) {
			t.Errorf("read %d records, want %d", got, len(entries))
		}
	})

	// Last, on the same server: starting another costs seconds.
	t.Run("stop kills the process", func(t *testing.T) {
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(s.PID, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after Stop (kill -0: %v)", s.PID, err)
		}
		// StartT's cleanup stops it again, which must be harmless.
		if err := s.Stop(); err != nil {
			t.Errorf("second Stop: %v", err)
		}
	})
}

// listeners returns the local addresses of pid's listening TCP sockets, from
// /proc (Linux).
func listeners(pid int) ([]string, error) {
	inodes := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return nil, err
	}
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var addrs []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] { // 0A: LISTEN
				continue
			}
			addrs = append(addrs, decodeAddr(fields[1]))
		}
		f.Close()
	}
	return addrs, nil
}

// decodeAddr turns /proc/net/tcp's 0100007F:1F90 into 127.0.0.1:8080; an
// IPv6 address is returned as its hex, which never looks like 127.0.0.1.
func decodeAddr(s string) string {
	host, port, _ := strings.Cut(s, ":")
	p, _ := strconv.ParseUint(port, 16, 16)
	if len(host) != 8 {
		return host + ":" + strconv.FormatUint(p, 10)
	}
	v, _ := strconv.ParseUint(host, 16, 32)
	return fmt.Sprintf("%d.%d.%d.%d:%d", v&0xff, v>>8&0xff, v>>16&0xff, v>>24, p)
}
