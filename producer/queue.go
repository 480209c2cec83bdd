package producer

import "time"

// A record is one Put, until it is delivered or given up on.
type record struct {
	key      string
	data     []byte
	size     int    // len(key) + len(data): what Kinesis counts against its limits
	seq      uint64 // Put order, across keys
	putAt    time.Time
	attempts int
}

// A keyState holds the records of one partition key that are not done yet,
// oldest first. Only the oldest, the front, is ever sent: the next one
// waits until Kinesis acknowledged it or the producer gave up on it. That
// is what keeps a key's order through partial failures and retries, and
// why a request can name a record by its key.
type keyState struct {
	key string
	// queue[head:] are the records, by value; only the producer's lock
	// guards them, as Put may move them. The consumed prefix is reused once
	// the key runs empty, so a key costs no allocation per record.
	queue []record
	head  int
	state keyStatus
	// readyAt is when the front may be sent again, while state is waiting.
	readyAt time.Time
}

type keyStatus uint8

const (
	ready   keyStatus = iota // the front is in the ready heap
	sending                  // the front is in a request
	waiting                  // the front failed and waits for its backoff
)

// front is the oldest record of the key, the only one that may be sent.
func (ks *keyState) front() *record { return &ks.queue[ks.head] }

// len is how many records of the key are not done.
func (ks *keyState) len() int { return len(ks.queue) - ks.head }

// popFront removes the oldest record.
func (ks *keyState) popFront() {
	ks.queue[ks.head] = record{}
	ks.head++
	switch {
	case ks.head == len(ks.queue):
		ks.queue, ks.head = ks.queue[:0], 0
	case ks.head >= 64 && ks.head*2 >= len(ks.queue):
		// A key that never runs empty: drop the consumed prefix.
		n := copy(ks.queue, ks.queue[ks.head:])
		clear(ks.queue[n:])
		ks.queue, ks.head = ks.queue[:n], 0
	}
}

// readyHeap holds the keys whose front record may be sent, oldest front
// first, so that a request takes the records that have waited longest
// (retries first). It is the producer's hot path, hence typed by hand
// rather than container/heap: the front's seq sits in the item.
type readyHeap []readyItem

type readyItem struct {
	seq uint64
	ks  *keyState
}

func (h *readyHeap) push(it readyItem) {
	*h = append(*h, it)
	s := *h
	i := len(s) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if s[parent].seq <= it.seq {
			break
		}
		s[i] = s[parent]
		i = parent
	}
	s[i] = it
}

func (h *readyHeap) pop() readyItem {
	s := *h
	top := s[0]
	last := s[len(s)-1]
	s[len(s)-1] = readyItem{}
	s = s[:len(s)-1]
	*h = s
	if len(s) == 0 {
		return top
	}
	i := 0
	for {
		child := 2*i + 1
		if child >= len(s) {
			break
		}
		if r := child + 1; r < len(s) && s[r].seq < s[child].seq {
			child = r
		}
		if last.seq <= s[child].seq {
			break
		}
		s[i] = s[child]
		i = child
	}
	s[i] = last
	return top
}

// backoffHeap holds the keys whose front waits for a retry, earliest first.
type backoffHeap []*keyState

func (h backoffHeap) Len() int           { return len(h) }
func (h backoffHeap) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h backoffHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *backoffHeap) Push(x any)        { *h = append(*h, x.(*keyState)) }
func (h *backoffHeap) Pop() any {
	old := *h
	ks := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return ks
}
