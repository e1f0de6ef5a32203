// Command s3-peer is the compiled peer of `npm run bench:s3`: a warp-style closed loop on minio-go (warp's own
// client library) against one S3 endpoint, for one operation, size and concurrency, printing one JSON line.
//
// It takes every setting from the environment, credentials included (argv is visible in ps):
//
//	S3PEER_ENDPOINT     http(s)://host:port
//	S3PEER_REGION       signing region
//	S3PEER_BUCKET       bucket
//	S3PEER_PREFIX       key prefix of this run's objects (everything it writes is under it, and deleted)
//	S3PEER_OP           put | get
//	S3PEER_SIZE         object size in bytes
//	S3PEER_CONCURRENCY  goroutines in the closed loop
//	S3PEER_DURATION_MS  the measured window
//	S3PEER_OBJECTS      objects that get reads (written first, not timed)
//	S3PEER_PAYLOAD      signed (x-amz-content-sha256 is the body's SHA-256) | unsigned (UNSIGNED-PAYLOAD) |
//	                    streaming (minio-go's default over http: STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
//	AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional)
//
// Like warp, all goroutines start together and only operations that end inside the window count; the ones
// still in flight are awaited, not counted. Latency goes into an HDR histogram (µs, 3 significant digits, as
// storbench's recorder), printed as compressed base64 so the bench merges it with storbench's exactly. CPU is
// getrusage(RUSAGE_SELF) from the start gate until the last in-flight operation ended, divided by every
// operation that succeeded (drained ones too), as the minimal SDK loop counts it. A bad setting is one line
// naming it on stderr, exit 2.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// highestTrackableUs is storbench's HIGHEST_TRACKABLE_US (one hour): larger latencies are clamped.
const highestTrackableUs = 3_600_000_000

type settings struct {
	endpoint    *url.URL
	region      string
	bucket      string
	prefix      string
	op          string
	size        int64
	concurrency int
	duration    time.Duration
	objects     int
	payload     string
}

// result is the JSON line.
type result struct {
	Client      string  `json:"client"`
	Go          string  `json:"go"`
	Op          string  `json:"op"`
	Size        int64   `json:"size"`
	Concurrency int     `json:"concurrency"`
	Payload     string  `json:"payload"`
	Count       int64   `json:"count"`
	Finished    int64   `json:"finished"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"firstError,omitempty"`
	Seconds     float64 `json:"seconds"`
	Bytes       int64   `json:"bytes"`
	CPUUs       int64   `json:"cpuUs"`
	CPUUsPerOp  float64 `json:"cpuUsPerOp"`
	P50Us       int64   `json:"p50Us"`
	P99Us       int64   `json:"p99Us"`
	Histogram   string  `json:"histogram"`
	Deleted     int     `json:"deleted"`
}

func fail(field, problem string) {
	fmt.Fprintf(os.Stderr, "s3-peer: %s: %s\n", field, problem)
	os.Exit(2)
}

func required(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fail(name, "required")
	}
	return v
}

func positive(name string) int64 {
	v, err := strconv.ParseInt(required(name), 10, 64)
	if err != nil || v < 1 {
		fail(name, fmt.Sprintf("expected a positive integer, got %q", os.Getenv(name)))
	}
	return v
}

func parseSettings() settings {
	s := settings{
		region:      required("S3PEER_REGION"),
		bucket:      required("S3PEER_BUCKET"),
		prefix:      os.Getenv("S3PEER_PREFIX"),
		op:          required("S3PEER_OP"),
		size:        positive("S3PEER_SIZE"),
		concurrency: int(positive("S3PEER_CONCURRENCY")),
		duration:    time.Duration(positive("S3PEER_DURATION_MS")) * time.Millisecond,
		payload:     required("S3PEER_PAYLOAD"),
	}
	u, err := url.Parse(required("S3PEER_ENDPOINT"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("S3PEER_ENDPOINT", fmt.Sprintf("expected http(s)://host[:port], got %q", os.Getenv("S3PEER_ENDPOINT")))
	}
	s.endpoint = u
	switch s.op {
	case "put":
	case "get":
		s.objects = int(positive("S3PEER_OBJECTS"))
	default:
		fail("S3PEER_OP", fmt.Sprintf("expected put or get, got %q", s.op))
	}
	switch s.payload {
	case "signed", "unsigned", "streaming":
	default:
		fail("S3PEER_PAYLOAD", fmt.Sprintf("expected signed, unsigned or streaming, got %q", s.payload))
	}
	required("AWS_ACCESS_KEY_ID")
	required("AWS_SECRET_ACCESS_KEY")
	return s
}

// newCore is a minio-go client with path-style addressing, no retries (storbench's retries=0 default) and a
// keep-alive transport that keeps at least one idle connection per goroutine (Go's default keeps 2 per host,
// which would reconnect most requests at concurrency 32).
func newCore(s settings) (*minio.Core, error) {
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          s.concurrency * 2,
		MaxIdleConnsPerHost:   s.concurrency * 2,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // as minio-go's own default transport: bodies are counted as sent
	}
	return minio.NewCore(s.endpoint.Host, &minio.Options{
		Creds:        credentials.NewStatic(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"), credentials.SignatureV4),
		Secure:       s.endpoint.Scheme == "https",
		Region:       s.region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    transport,
		MaxRetries:   1,
	})
}

// put writes one object in a single PUT (never multipart) with the payload mode asked for. No checksum header or
// trailer is added: the client is made without TrailingHeaders, so minio-go adds no CRC32C.
func put(ctx context.Context, c *minio.Core, s settings, body []byte, key string) error {
	switch s.payload {
	case "signed":
		// The SDK hashes a buffer body per request; so does this.
		sum := sha256.Sum256(body)
		_, err := c.PutObject(ctx, s.bucket, key, bytes.NewReader(body), s.size, "", hex.EncodeToString(sum[:]), minio.PutObjectOptions{DisableContentSha256: true})
		return err
	case "unsigned":
		_, err := c.Client.PutObject(ctx, s.bucket, key, bytes.NewReader(body), s.size, minio.PutObjectOptions{DisableMultipart: true, DisableContentSha256: true})
		return err
	default:
		_, err := c.Client.PutObject(ctx, s.bucket, key, bytes.NewReader(body), s.size, minio.PutObjectOptions{DisableMultipart: true})
		return err
	}
}

// get reads one object to the end, as warp does (GetObject, then io.Copy to io.Discard).
func get(ctx context.Context, c *minio.Core, s settings, key string) error {
	o, err := c.Client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer o.Close()
	n, err := io.Copy(io.Discard, o)
	if err == nil && n != s.size {
		err = fmt.Errorf("read %d bytes of %s, expected %d", n, key, s.size)
	}
	return err
}

func key(s settings, i int64) string { return s.prefix + strconv.FormatInt(i, 10) }

func cpuUs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return ru.Utime.Nano()/1000 + ru.Stime.Nano()/1000
}

// prepare writes the objects get reads (not timed), concurrency at a time.
func prepare(ctx context.Context, c *minio.Core, s settings, body []byte) error {
	var next atomic.Int64
	errs := make(chan error, s.concurrency)
	var wg sync.WaitGroup
	for range min(s.concurrency, s.objects) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(s.objects); i = next.Add(1) - 1 {
				if err := put(ctx, c, s, body, key(s, i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// cleanup deletes the first n keys of the prefix (not timed) and returns how many were deleted.
func cleanup(c *minio.Core, s settings, n int64) (int, error) {
	keys := make(chan minio.ObjectInfo)
	go func() {
		defer close(keys)
		for i := range n {
			keys <- minio.ObjectInfo{Key: key(s, i)}
		}
	}()
	var first error
	failed := 0
	for e := range c.Client.RemoveObjects(context.Background(), s.bucket, keys, minio.RemoveObjectsOptions{}) {
		failed++
		if first == nil {
			first = e.Err
		}
	}
	return int(n) - failed, first
}

func main() {
	s := parseSettings()
	c, err := newCore(s)
	if err != nil {
		fail("S3PEER_ENDPOINT", err.Error())
	}
	ctx := context.Background()
	body := bytes.Repeat([]byte{0x5a}, int(s.size))
	if s.op == "get" {
		if err := prepare(ctx, c, s, body); err != nil {
			n, _ := cleanup(c, s, int64(s.objects))
			fmt.Fprintf(os.Stderr, "s3-peer: writing the objects to read failed (%d removed again): %v\n", n, err)
			os.Exit(1)
		}
	}

	var created, count, finished, errors atomic.Int64
	var firstError atomic.Value
	histograms := make([]*hdrhistogram.Histogram, s.concurrency)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	var stop time.Time
	for g := range s.concurrency {
		h := hdrhistogram.New(1, highestTrackableUs, 3)
		histograms[g] = h
		wg.Go(func() {
			<-gate
			for time.Now().Before(stop) {
				start := time.Now()
				var err error
				if s.op == "put" {
					err = put(ctx, c, s, body, key(s, created.Add(1)-1)) // a new object each time, as storbench's `writes: create`
				} else {
					err = get(ctx, c, s, key(s, rand.Int64N(int64(s.objects))))
				}
				end := time.Now()
				if err != nil {
					errors.Add(1)
					firstError.CompareAndSwap(nil, err.Error())
					continue
				}
				finished.Add(1)
				if !end.After(stop) {
					count.Add(1)
					_ = h.RecordValue(min(max(1, end.Sub(start).Microseconds()), highestTrackableUs))
				}
			}
		})
	}
	cpu0 := cpuUs()
	stop = time.Now().Add(s.duration)
	close(gate)
	wg.Wait()
	cpu := cpuUs() - cpu0

	total := hdrhistogram.New(1, highestTrackableUs, 3)
	for _, h := range histograms {
		total.Merge(h)
	}
	encoded, err := total.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		panic(err)
	}
	written := int64(s.objects)
	if s.op == "put" {
		written = created.Load()
	}
	deleted, cleanupErr := cleanup(c, s, written)

	r := result{
		Client:      "minio-go v7.4.1",
		Go:          runtime.Version(),
		Op:          s.op,
		Size:        s.size,
		Concurrency: s.concurrency,
		Payload:     s.payload,
		Count:       count.Load(),
		Finished:    finished.Load(),
		Errors:      errors.Load(),
		Seconds:     s.duration.Seconds(),
		Bytes:       count.Load() * s.size,
		CPUUs:       cpu,
		P50Us:       total.ValueAtQuantile(50),
		P99Us:       total.ValueAtQuantile(99),
		Histogram:   string(encoded),
		Deleted:     deleted,
	}
	if f, ok := firstError.Load().(string); ok {
		r.FirstError = f
	}
	if r.Finished > 0 {
		r.CPUUsPerOp = float64(cpu) / float64(r.Finished)
	}
	line, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(line))
	if cleanupErr != nil {
		fmt.Fprintf(os.Stderr, "s3-peer: deleting what it wrote failed (%d of %d deleted): %v\n", deleted, written, cleanupErr)
		os.Exit(1)
	}
}
