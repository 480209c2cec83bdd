package diagram

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// template is the part of a CloudFormation template that the diagram reads.
type template struct {
	Resources map[string]resource `json:"Resources"`
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	Metadata   map[string]any `json:"Metadata"`
}

// path returns the resource's construct path split into segments, or nil.
func (r resource) path() []string {
	p, _ := r.Metadata["aws:cdk:path"].(string)
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// kind is what a box is, which sets its colours.
type kind int

const (
	external kind = iota // producers: not in the template
	analytics
	compute
	storage
	integration
	monitoring
)

// node is one box: a bold title and detail lines.
type node struct {
	title string
	kind  kind
	lines []string
}

// lane is one StandardStream: the resources around one Kinesis stream.
type lane struct {
	stack, id string // the stack, and the construct ID (the path's second segment)

	producers, stream                *node
	mapping, consumer, failure       *node
	delivery, archive, accessLogs    *node
	alarms, topic                    *node
	fanOut, failureLogs, archiveLogs bool
}

// stackModel resolves references within one template.
type stackModel struct {
	name string
	tpl  template
}

// parseLanes returns a lane for each Kinesis stream of the template, by
// construct ID.
func parseLanes(stack string, raw []byte) ([]lane, error) {
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		return nil, fmt.Errorf("diagram: stack %s: template: %w", stack, err)
	}
	m := &stackModel{name: stack, tpl: tpl}
	var lanes []lane
	for _, id := range m.ids("AWS::Kinesis::Stream") {
		lanes = append(lanes, m.lane(id))
	}
	slices.SortFunc(lanes, func(a, b lane) int { return cmp.Compare(a.id, b.id) })
	return lanes, nil
}

// ids returns the logical IDs of the resources of type typ, sorted.
func (m *stackModel) ids(typ string) []string {
	var out []string
	for id, r := range m.tpl.Resources {
		if r.Type == typ {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// group returns the second segment of a resource's construct path: the ID
// of the StandardStream that holds it.
func (m *stackModel) group(id string) string {
	if p := m.tpl.Resources[id].path(); len(p) > 1 {
		return p[1]
	}
	return ""
}

// label names a resource by its construct path below the StandardStream,
// without the L1's "Resource": "Archive", not
// "StandardStream-dev/Events/Archive/Resource". Resources outside the
// StandardStream keep the path below the stack; without a path, the
// logical ID.
func (m *stackModel) label(id, group string) string {
	p := m.tpl.Resources[id].path()
	if len(p) == 0 {
		return id
	}
	p = p[1:] // the stack
	if len(p) > 1 && p[0] == group {
		p = p[1:]
	}
	if n := len(p); n > 1 && (p[n-1] == "Resource" || p[n-1] == "Default") {
		p = p[:n-1]
	}
	return strings.Join(p, "/")
}

// refTo returns the logical ID that v refers to with Ref or Fn::GetAtt.
func refTo(v any) string {
	o, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if s, ok := o["Ref"].(string); ok {
		return s
	}
	if a, ok := o["Fn::GetAtt"].([]any); ok && len(a) > 0 {
		s, _ := a[0].(string)
		return s
	}
	return ""
}

// dig returns the value at the keys' path in nested objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// number returns v as a number if it is a literal one.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case string: // CloudFormation accepts numbers as strings
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

// num formats a literal number, or "?" for a token.
func num(v any) string {
	if n, ok := number(v); ok {
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return "?"
}

// seconds formats a duration in seconds in the largest whole unit, keeping
// seconds below two minutes (a 60 s timeout reads better than 1 min).
func seconds(v any) string {
	n, ok := number(v)
	if !ok {
		return "?"
	}
	s := int64(n)
	switch {
	case s < 120:
		return fmt.Sprintf("%d s", s)
	case s%86400 == 0:
		return fmt.Sprintf("%d d", s/86400)
	case s%3600 == 0:
		return fmt.Sprintf("%d h", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d s", s)
}

func literal(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// refersTo reports whether any Ref or Fn::GetAtt inside v names id.
func refersTo(v any, id string) bool {
	switch x := v.(type) {
	case map[string]any:
		if refTo(x) == id {
			return true
		}
		for _, e := range x {
			if refersTo(e, id) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if refersTo(e, id) {
				return true
			}
		}
	}
	return false
}

func (m *stackModel) lane(streamID string) lane {
	group := m.group(streamID)
	l := lane{stack: m.name, id: group}
	if group == "" {
		l.id = streamID
	}
	l.stream = m.streamNode(streamID, group)
	l.producers = m.producersNode(streamID, group)

	// The consumer reads the stream directly, or through a registered
	// stream consumer (enhanced fan-out).
	sources := map[string]bool{streamID: true}
	for _, id := range m.ids("AWS::Kinesis::StreamConsumer") {
		if refTo(m.tpl.Resources[id].Properties["StreamARN"]) == streamID {
			sources[id] = true
		}
	}
	var mappings []string
	for _, id := range m.ids("AWS::Lambda::EventSourceMapping") {
		if src := refTo(m.tpl.Resources[id].Properties["EventSourceArn"]); sources[src] {
			mappings = append(mappings, id)
		}
	}
	var failureDest string
	if len(mappings) > 0 {
		esm := m.tpl.Resources[mappings[0]].Properties
		failureDest = refTo(dig(esm, "DestinationConfig", "OnFailure", "Destination"))
		l.fanOut = refTo(esm["EventSourceArn"]) != streamID
		l.mapping = m.mappingNode(esm, l.fanOut, len(mappings)-1)
		if fn := refTo(esm["FunctionName"]); fn != "" {
			l.consumer = m.functionNode(fn, group)
		}
		if failureDest != "" {
			l.failure = m.failureNode(failureDest, group)
		}
	}

	var logBucket string
	for _, id := range m.ids("AWS::KinesisFirehose::DeliveryStream") {
		p := m.tpl.Resources[id].Properties
		if refTo(dig(p, "KinesisStreamSourceConfiguration", "KinesisStreamARN")) != streamID {
			continue
		}
		dest, _ := p["ExtendedS3DestinationConfiguration"].(map[string]any)
		if dest == nil {
			dest, _ = p["S3DestinationConfiguration"].(map[string]any)
		}
		l.delivery = m.deliveryNode(id, group, dest)
		if b := refTo(dest["BucketARN"]); b != "" {
			l.archive = m.archiveNode(b, group, dest)
			logBucket = refTo(dig(m.tpl.Resources[b].Properties, "LoggingConfiguration", "DestinationBucketName"))
			l.archiveLogs = logBucket != ""
		}
		break
	}
	// The access-log bucket is where the archive and the failure bucket log.
	if failureDest != "" {
		fl := refTo(dig(m.tpl.Resources[failureDest].Properties, "LoggingConfiguration", "DestinationBucketName"))
		if logBucket == "" {
			logBucket = fl
		}
		l.failureLogs = fl != "" && fl == logBucket
	}
	if logBucket != "" {
		l.accessLogs = &node{title: "Access-log bucket (S3)", kind: storage,
			lines: append([]string{m.label(logBucket, group)}, bucketLines(m.tpl.Resources[logBucket].Properties)...)}
	}
	l.alarms, l.topic = m.monitoringNodes(group)
	return l
}

func (m *stackModel) streamNode(id, group string) *node {
	p := m.tpl.Resources[id].Properties
	name, ok := literal(p["Name"])
	if !ok {
		name = m.label(id, group) + " (name generated)"
	}
	n := &node{title: "Kinesis data stream", kind: analytics, lines: []string{name}}
	if mode, _ := literal(dig(p, "StreamModeDetails", "StreamMode")); mode == "PROVISIONED" || mode == "" && p["ShardCount"] != nil {
		n.lines = append(n.lines, fmt.Sprintf("provisioned, %s shards", num(p["ShardCount"])))
	} else {
		n.lines = append(n.lines, "on-demand")
	}
	hours := "24"
	if p["RetentionPeriodHours"] != nil {
		hours = num(p["RetentionPeriodHours"])
	}
	n.lines = append(n.lines, "retention "+hours+" h")
	switch enc := p["StreamEncryption"]; {
	case enc == nil:
		n.lines = append(n.lines, "not encrypted")
	default:
		key, ok := literal(dig(enc, "KeyId"))
		if !ok {
			key = m.label(refTo(dig(enc, "KeyId")), group)
		}
		n.lines = append(n.lines, "KMS "+key)
	}
	return n
}

// producersNode lists the roles that the template allows to put records.
func (m *stackModel) producersNode(streamID, group string) *node {
	n := &node{title: "Producers", kind: external}
	var writers []string
	for _, id := range m.ids("AWS::IAM::Policy") {
		p := m.tpl.Resources[id].Properties
		stmts, _ := dig(p, "PolicyDocument", "Statement").([]any)
		if !slices.ContainsFunc(stmts, func(s any) bool { return putsTo(s, streamID) }) {
			continue
		}
		roles, _ := p["Roles"].([]any)
		for _, r := range roles {
			if role := refTo(r); role != "" {
				writers = append(writers, m.label(role, group))
			}
		}
	}
	slices.Sort(writers)
	writers = slices.Compact(writers)
	if len(writers) == 0 {
		n.lines = append(n.lines, "no role granted", "write in this stack")
		return n
	}
	n.lines = append(n.lines, "granted write:")
	for _, w := range writers {
		n.lines = append(n.lines, "  "+w)
	}
	return n
}

// putsTo reports whether a policy statement allows putting records into
// the stream.
func putsTo(stmt any, streamID string) bool {
	if e, _ := literal(dig(stmt, "Effect")); e != "Allow" {
		return false
	}
	actions := dig(stmt, "Action")
	var list []any
	switch a := actions.(type) {
	case string:
		list = []any{a}
	case []any:
		list = a
	}
	puts := slices.ContainsFunc(list, func(a any) bool {
		s, _ := a.(string)
		return s == "kinesis:PutRecord" || s == "kinesis:PutRecords" || s == "kinesis:*"
	})
	return puts && refersTo(dig(stmt, "Resource"), streamID)
}

func (m *stackModel) mappingNode(p map[string]any, fanOut bool, more int) *node {
	n := &node{title: "Event-source mapping", kind: compute}
	batch := "batch " + num(p["BatchSize"])
	if p["BatchSize"] == nil {
		batch = "batch 100"
	}
	if w := p["MaximumBatchingWindowInSeconds"]; w != nil {
		batch += ", window " + seconds(w)
	}
	n.lines = append(n.lines, batch)
	if pf := p["ParallelizationFactor"]; pf != nil {
		n.lines = append(n.lines, "parallelization "+num(pf))
	}
	if b, _ := p["BisectBatchOnFunctionError"].(bool); b {
		n.lines = append(n.lines, "bisect on error")
	}
	if r := p["MaximumRetryAttempts"]; r != nil {
		if n2, ok := number(r); ok && n2 < 0 {
			n.lines = append(n.lines, "retries: infinite")
		} else {
			n.lines = append(n.lines, "retries "+num(r))
		}
	}
	if a := p["MaximumRecordAgeInSeconds"]; a != nil {
		if n2, ok := number(a); ok && n2 < 0 {
			n.lines = append(n.lines, "max record age: none")
		} else {
			n.lines = append(n.lines, "max record age "+seconds(a))
		}
	}
	if types, _ := p["FunctionResponseTypes"].([]any); slices.Contains(types, any("ReportBatchItemFailures")) {
		n.lines = append(n.lines, "partial batch responses")
	}
	if s, ok := literal(p["StartingPosition"]); ok {
		n.lines = append(n.lines, "start at "+s)
	}
	if fanOut {
		n.lines = append(n.lines, "enhanced fan-out")
	}
	if more > 0 {
		n.lines = append(n.lines, fmt.Sprintf("(+%d more mappings)", more))
	}
	return n
}

func (m *stackModel) functionNode(id, group string) *node {
	p := m.tpl.Resources[id].Properties
	n := &node{title: "Lambda consumer", kind: compute, lines: []string{m.label(id, group)}}
	rt, _ := literal(p["Runtime"])
	arch := "x86_64"
	if a, _ := p["Architectures"].([]any); len(a) > 0 {
		arch, _ = a[0].(string)
	}
	n.lines = append(n.lines, strings.TrimSpace(rt+" "+arch))
	mem, timeout := "128", "3 s"
	if p["MemorySize"] != nil {
		mem = num(p["MemorySize"])
	}
	if p["Timeout"] != nil {
		timeout = seconds(p["Timeout"])
	}
	n.lines = append(n.lines, mem+" MB, timeout "+timeout)
	if mode, _ := literal(dig(p, "TracingConfig", "Mode")); mode == "Active" {
		n.lines = append(n.lines, "X-Ray tracing")
	}
	return n
}

func (m *stackModel) failureNode(id, group string) *node {
	r := m.tpl.Resources[id]
	switch r.Type {
	case "AWS::S3::Bucket":
		return &node{title: "Failure bucket (S3)", kind: storage,
			lines: append([]string{m.label(id, group), "failed batches + payload"}, bucketLines(r.Properties)...)}
	case "AWS::SQS::Queue":
		n := &node{title: "Failure queue (SQS)", kind: integration,
			lines: []string{m.label(id, group), "failed batches' metadata"}}
		if ret := r.Properties["MessageRetentionPeriod"]; ret != nil {
			n.lines = append(n.lines, "retention "+seconds(ret))
		}
		if r.Properties["KmsMasterKeyId"] != nil {
			n.lines = append(n.lines, "KMS encrypted")
		} else if b, _ := r.Properties["SqsManagedSseEnabled"].(bool); b {
			n.lines = append(n.lines, "SSE-SQS encrypted")
		}
		return n
	case "AWS::SNS::Topic":
		return &node{title: "Failure topic (SNS)", kind: integration, lines: []string{m.label(id, group), "failed batches' metadata"}}
	}
	return &node{title: "Failure destination", kind: integration, lines: []string{m.label(id, group), r.Type}}
}

// bucketLines describes a bucket's versioning and lifecycle.
func bucketLines(p map[string]any) []string {
	var out []string
	if s, _ := literal(dig(p, "VersioningConfiguration", "Status")); s == "Enabled" {
		out = append(out, "versioned")
	}
	rules, _ := dig(p, "LifecycleConfiguration", "Rules").([]any)
	for _, rule := range rules {
		if s, _ := literal(dig(rule, "Status")); s != "Enabled" {
			continue
		}
		trs, _ := dig(rule, "Transitions").([]any)
		for _, tr := range trs {
			class, _ := literal(dig(tr, "StorageClass"))
			out = append(out, fmt.Sprintf("%s after %s d", storageClass(class), num(dig(tr, "TransitionInDays"))))
		}
		if d := dig(rule, "ExpirationInDays"); d != nil {
			out = append(out, "expires after "+num(d)+" d")
		}
	}
	return out
}

func storageClass(c string) string {
	switch c {
	case "STANDARD_IA":
		return "Standard-IA"
	case "ONEZONE_IA":
		return "One Zone-IA"
	case "INTELLIGENT_TIERING":
		return "Intelligent-Tiering"
	case "GLACIER_IR":
		return "Glacier IR"
	case "GLACIER":
		return "Glacier"
	case "DEEP_ARCHIVE":
		return "Deep Archive"
	}
	return c
}

func (m *stackModel) deliveryNode(id, group string, dest map[string]any) *node {
	n := &node{title: "Firehose delivery stream", kind: analytics, lines: []string{m.label(id, group)}}
	if c, ok := literal(dest["CompressionFormat"]); ok {
		n.lines = append(n.lines, c)
	}
	if h := dest["BufferingHints"]; h != nil {
		n.lines = append(n.lines, fmt.Sprintf("buffer %s / %s MiB", seconds(dig(h, "IntervalInSeconds")), num(dig(h, "SizeInMBs"))))
	}
	return n
}

var (
	timestampVar = regexp.MustCompile(`!\{timestamp:([^}]*)\}`)
	errorTypeVar = regexp.MustCompile(`!\{firehose:error-output-type\}`)
)

// prefix shortens Firehose's expressions in an S3 prefix: data/year=yyyy/.
func prefix(p string) string {
	p = timestampVar.ReplaceAllString(p, "$1")
	return errorTypeVar.ReplaceAllString(p, "<error-type>")
}

func (m *stackModel) archiveNode(id, group string, dest map[string]any) *node {
	n := &node{title: "Archive bucket (S3)", kind: storage, lines: []string{m.label(id, group)}}
	if p, ok := literal(dest["Prefix"]); ok {
		n.lines = append(n.lines, prefix(p))
	}
	if p, ok := literal(dest["ErrorOutputPrefix"]); ok {
		n.lines = append(n.lines, prefix(p))
	}
	n.lines = append(n.lines, bucketLines(m.tpl.Resources[id].Properties)...)
	return n
}

// monitoringNodes returns the alarms of the group and the topic they notify.
func (m *stackModel) monitoringNodes(group string) (alarms, topic *node) {
	type alarm struct{ name, metric string }
	var list []alarm
	topics := map[string]bool{}
	for _, id := range m.ids("AWS::CloudWatch::Alarm") {
		if m.group(id) != group {
			continue
		}
		p := m.tpl.Resources[id].Properties
		metric := "metric math"
		if ns, ok := literal(p["Namespace"]); ok {
			name, _ := literal(p["MetricName"])
			metric = ns + " " + name
		}
		list = append(list, alarm{m.label(id, group), metric})
		actions, _ := p["AlarmActions"].([]any)
		for _, a := range actions {
			if t := refTo(a); t != "" {
				topics[t] = true
			} else if s, ok := literal(a); ok {
				topics[s] = true
			}
		}
	}
	dashboards := 0
	for _, id := range m.ids("AWS::CloudWatch::Dashboard") {
		if m.group(id) == group {
			dashboards++
		}
	}
	if len(list) == 0 && dashboards == 0 {
		return nil, nil
	}
	slices.SortFunc(list, func(a, b alarm) int { return cmp.Compare(a.name, b.name) })
	title := fmt.Sprintf("CloudWatch: %d alarms", len(list))
	if len(list) == 1 {
		title = "CloudWatch: 1 alarm"
	}
	if dashboards > 0 {
		title += fmt.Sprintf(", %d dashboard", dashboards)
		if dashboards > 1 {
			title += "s"
		}
	}
	alarms = &node{title: title, kind: monitoring}
	width := 0
	for _, a := range list {
		width = max(width, len(a.name))
	}
	for _, a := range list {
		alarms.lines = append(alarms.lines, fmt.Sprintf("%-*s  %s", width, a.name, a.metric))
	}
	if len(topics) == 0 {
		return alarms, nil
	}
	ids := make([]string, 0, len(topics))
	for t := range topics {
		ids = append(ids, t)
	}
	slices.Sort(ids)
	return alarms, m.topicNode(ids[0], group, len(ids)-1)
}

func (m *stackModel) topicNode(id, group string, more int) *node {
	r, ok := m.tpl.Resources[id]
	if !ok {
		return &node{title: "SNS topic", kind: integration, lines: []string{"imported", id}}
	}
	n := &node{title: "SNS topic", kind: integration, lines: []string{m.label(id, group)}}
	if k := r.Properties["KmsMasterKeyId"]; k != nil {
		key, ok := literal(k)
		if !ok {
			key = m.label(refTo(k), group)
		}
		n.lines = append(n.lines, "KMS "+key)
	}
	for _, pid := range m.ids("AWS::SNS::TopicPolicy") {
		p := m.tpl.Resources[pid].Properties
		if !refersTo(p["Topics"], id) {
			continue
		}
		stmts, _ := dig(p, "PolicyDocument", "Statement").([]any)
		if slices.ContainsFunc(stmts, denyInsecure) {
			n.lines = append(n.lines, "TLS only")
			break
		}
	}
	if more > 0 {
		n.lines = append(n.lines, fmt.Sprintf("(+%d more topics)", more))
	}
	return n
}

// denyInsecure reports whether a statement denies requests without TLS.
func denyInsecure(stmt any) bool {
	e, _ := literal(dig(stmt, "Effect"))
	v := dig(stmt, "Condition", "Bool", "aws:SecureTransport")
	return e == "Deny" && (v == "false" || v == false)
}
